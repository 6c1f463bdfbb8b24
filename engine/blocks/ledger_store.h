#pragma once
// The per-block ledger: an embedded SQLite file with one row per block (PRIMARY KEY height), so a
// height can never appear twice, and a small key/value table (chain, source). Writes go in one
// transaction per batch: a killed sync leaves either the whole batch or none of it.
//
//   blocks(height INTEGER PRIMARY KEY, hash TEXT NOT NULL, time_unix INTEGER NOT NULL,
//          subsidy_sat INTEGER NOT NULL, fee_sat INTEGER NOT NULL, network_hashrate_ths REAL NOT
//          NULL)
//   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hashsim::blocks {

struct BlockRecord {
  std::int64_t height = 0;
  std::string hash;            // hex, as the node prints it
  std::int64_t time_unix = 0;  // header timestamp, s
  std::int64_t subsidy_sat = 0;
  std::int64_t fee_sat = 0;           // total fees of the block's transactions
  double network_hashrate_ths = 0.0;  // estimate at this height (see sync.h)
  bool operator==(const BlockRecord&) const = default;
};

// Move-only owner of a sqlite3 connection.
class SqliteDb {
 public:
  explicit SqliteDb(const std::filesystem::path& path);  // opens or creates; throws Error
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  sqlite3* get() const { return db_; }
  void exec(const std::string& sql);  // throws Error with SQLite's message

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Move-only owner of a prepared statement; reset() after each use to run it again.
class SqliteStatement {
 public:
  SqliteStatement(const SqliteDb& db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  void bind(int index, std::int64_t v);
  void bind(int index, double v);
  void bind(int index, const std::string& v);
  bool step();  // true: a row is ready; false: done; throws Error
  void reset();
  std::int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  bool column_null(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class LedgerStore {
 public:
  explicit LedgerStore(const std::filesystem::path& path);  // creates the schema if missing

  std::optional<std::int64_t> max_height();
  std::optional<std::int64_t> min_height();
  std::int64_t count();
  std::optional<std::string> hash_at(std::int64_t height);
  // Inserts the rows in one transaction (all or nothing). A height already present is an error
  // (PRIMARY KEY): the sync never writes over a row, it deletes a reorged range first.
  void insert(const std::vector<BlockRecord>& rows);
  // Deletes every block above `height` in one transaction; returns how many.
  std::int64_t delete_above(std::int64_t height);
  std::vector<BlockRecord> all();  // ascending height
  std::vector<BlockRecord> range(std::int64_t from_height, std::int64_t to_height);  // inclusive

  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  SqliteDb db_;
  SqliteStatement insert_, hash_at_, max_, min_, count_, delete_above_, range_, get_meta_,
      set_meta_;
};

}  // namespace hashsim::blocks
