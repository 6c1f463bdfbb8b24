#include "engine/blocks/ledger_store.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "engine/util/error.h"

namespace hashsim::blocks {

namespace {
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS blocks (
  height INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  time_unix INTEGER NOT NULL,
  subsidy_sat INTEGER NOT NULL,
  fee_sat INTEGER NOT NULL,
  network_hashrate_ths REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)";

// BEGIN .. COMMIT, rolled back if anything throws in between.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  SqliteDb& db_;
  bool done_ = false;
};
}  // namespace

SqliteDb::SqliteDb(const std::filesystem::path& path) : path_(path.string()) {
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path_ + ": cannot open SQLite ledger: " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
}
SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close_v2(db_);
}
SqliteDb::SqliteDb(SqliteDb&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}
SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}
void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw Error(path_ + ": SQLite: " + msg);
  }
}

SqliteStatement::SqliteStatement(const SqliteDb& db, const std::string& sql) : db_(db.get()) {
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
      SQLITE_OK)
    throw Error(std::string("SQLite cannot prepare '") + sql + "': " + sqlite3_errmsg(db_));
}
SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}
SqliteStatement::SqliteStatement(SqliteStatement&& o) noexcept
    : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
SqliteStatement& SqliteStatement::operator=(SqliteStatement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = std::exchange(o.stmt_, nullptr);
  }
  return *this;
}
void SqliteStatement::bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void SqliteStatement::bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
void SqliteStatement::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw Error("SQLite: " + msg);
}
void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}
std::int64_t SqliteStatement::column_int(int c) const { return sqlite3_column_int64(stmt_, c); }
double SqliteStatement::column_double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string SqliteStatement::column_text(int c) const {
  const auto* p = sqlite3_column_text(stmt_, c);
  return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
}
bool SqliteStatement::column_null(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}

namespace {
// Runs `sql`, trying again while another connection holds the lock. The busy timeout does not
// cover everything: SQLite answers SQLITE_BUSY at once, without waiting, when waiting could
// deadlock (two connections of a new file both upgrading a read lock to switch it to WAL), so two
// processes opening a new ledger at the same moment (a sync starting while `blocks revenue`, or a
// test, looks at it) could fail with "database is locked".
void exec_when_free(SqliteDb& db, const std::filesystem::path& path, const std::string& sql) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int attempt = 0;; ++attempt) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return;
    const std::string msg = err ? err : sqlite3_errmsg(db.get());
    sqlite3_free(err);
    if (sqlite3_get_autocommit(db.get()) == 0)
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
        std::chrono::steady_clock::now() >= until)
      throw Error(path.string() + ": SQLite: " + msg);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 * (attempt + 1), 50)));
  }
}

SqliteDb open_with_schema(const std::filesystem::path& path) {
  SqliteDb db(path);
  // WAL: a reader (blocks revenue) never blocks the sync; NORMAL is durable at each commit in WAL
  // mode against a process kill (only a power cut may lose the last commits, never corrupt).
  exec_when_free(db, path, "PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");  // this connection's setting: no lock
  // The write lock first (BEGIN IMMEDIATE waits for it under the busy timeout), so creating the
  // tables never needs a lock upgrade that SQLite would refuse at once.
  exec_when_free(db, path, std::string("BEGIN IMMEDIATE;") + kSchema + "COMMIT;");
  return db;
}
}  // namespace

LedgerStore::LedgerStore(const std::filesystem::path& path)
    : path_(path),
      db_(open_with_schema(path)),
      insert_(db_,
              "INSERT INTO blocks (height, hash, time_unix, subsidy_sat, fee_sat, "
              "network_hashrate_ths) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      hash_at_(db_, "SELECT hash FROM blocks WHERE height = ?1"),
      max_(db_, "SELECT MAX(height) FROM blocks"),
      min_(db_, "SELECT MIN(height) FROM blocks"),
      count_(db_, "SELECT COUNT(*) FROM blocks"),
      delete_above_(db_, "DELETE FROM blocks WHERE height > ?1"),
      range_(
          db_,
          "SELECT height, hash, time_unix, subsidy_sat, fee_sat, network_hashrate_ths FROM blocks "
          "WHERE height BETWEEN ?1 AND ?2 ORDER BY height"),
      get_meta_(db_, "SELECT value FROM meta WHERE key = ?1"),
      set_meta_(db_,
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET "
                "value = ?2") {}

namespace {
std::optional<std::int64_t> single_int(SqliteStatement& st) {
  std::optional<std::int64_t> v;
  if (st.step() && !st.column_null(0)) v = st.column_int(0);
  st.reset();
  return v;
}
}  // namespace

std::optional<std::int64_t> LedgerStore::max_height() { return single_int(max_); }
std::optional<std::int64_t> LedgerStore::min_height() { return single_int(min_); }
std::int64_t LedgerStore::count() { return single_int(count_).value_or(0); }

std::optional<std::string> LedgerStore::hash_at(std::int64_t height) {
  hash_at_.bind(1, height);
  std::optional<std::string> v;
  if (hash_at_.step()) v = hash_at_.column_text(0);
  hash_at_.reset();
  return v;
}

void LedgerStore::insert(const std::vector<BlockRecord>& rows) {
  Transaction tx(db_);
  for (const auto& b : rows) {
    insert_.bind(1, b.height);
    insert_.bind(2, b.hash);
    insert_.bind(3, b.time_unix);
    insert_.bind(4, b.subsidy_sat);
    insert_.bind(5, b.fee_sat);
    insert_.bind(6, b.network_hashrate_ths);
    try {
      insert_.step();
    } catch (const Error& e) {
      insert_.reset();
      throw Error(path_.string() + ": cannot store block " + std::to_string(b.height) + ": " +
                  e.what());
    }
    insert_.reset();
  }
  tx.commit();
}

std::int64_t LedgerStore::delete_above(std::int64_t height) {
  Transaction tx(db_);
  delete_above_.bind(1, height);
  delete_above_.step();
  delete_above_.reset();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(db_.get()));
  tx.commit();
  return n;
}

std::vector<BlockRecord> LedgerStore::range(std::int64_t from_height, std::int64_t to_height) {
  std::vector<BlockRecord> out;
  range_.bind(1, from_height);
  range_.bind(2, to_height);
  while (range_.step())
    out.push_back({range_.column_int(0), range_.column_text(1), range_.column_int(2),
                   range_.column_int(3), range_.column_int(4), range_.column_double(5)});
  range_.reset();
  return out;
}

std::vector<BlockRecord> LedgerStore::all() { return range(INT64_MIN, INT64_MAX); }

std::optional<std::string> LedgerStore::meta(const std::string& key) {
  get_meta_.bind(1, key);
  std::optional<std::string> v;
  if (get_meta_.step()) v = get_meta_.column_text(0);
  get_meta_.reset();
  return v;
}

void LedgerStore::set_meta(const std::string& key, const std::string& value) {
  set_meta_.bind(1, key);
  set_meta_.bind(2, value);
  set_meta_.step();
  set_meta_.reset();
}

}  // namespace hashsim::blocks
