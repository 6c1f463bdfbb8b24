#include "engine/io/results_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "engine/util/error.h"
#include "engine/util/sha256.h"

namespace hashsim::io {

namespace {
constexpr char kMagic[4] = {'H', 'S', 'J', '1'};
constexpr std::uint32_t kTypeScenario = 1;
constexpr std::uint32_t kTypeBlock = 2;
constexpr std::size_t kHeaderBytes = 4 + 4 + 8;
constexpr std::size_t kDigestBytes = 64;  // hex SHA-256
// No record is larger than this; a length beyond it is a torn or foreign header.
constexpr std::uint64_t kMaxPayloadBytes = 1ull << 36;

std::string errno_message(const std::string& what, const std::filesystem::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

template <class T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
bool get(const std::string& s, std::size_t& pos, T& v) {
  if (pos + sizeof v > s.size()) return false;
  std::memcpy(&v, s.data() + pos, sizeof v);
  pos += sizeof v;
  return true;
}

std::string digest_of(std::uint32_t type, const std::string& payload) {
  std::string h;
  put(h, type);
  put(h, static_cast<std::uint64_t>(payload.size()));
  return sha256_hex(h + payload);
}

// Reads exactly n bytes at offset; false at end of file or on a short read.
bool read_at(int fd, std::uint64_t offset, char* buf, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<std::size_t>(r);
  }
  return true;
}

void write_all(int fd, const std::string& bytes, const std::filesystem::path& p) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw Error(errno_message("writing the resume journal", p));
    done += static_cast<std::size_t>(w);
  }
}

struct BlockHeader {
  std::uint64_t index = 0, first_path = 0, n_paths = 0;
  std::vector<std::uint64_t> doubles_per_path;
  std::size_t data_pos = 0;  // where the doubles start in the payload
};

bool parse_block_header(const std::string& payload, BlockHeader& h) {
  std::size_t pos = 0;
  std::uint64_t n_outputs = 0;
  if (!get(payload, pos, h.index) || !get(payload, pos, h.first_path) ||
      !get(payload, pos, h.n_paths) || !get(payload, pos, n_outputs) || n_outputs > 4096)
    return false;
  h.doubles_per_path.resize(n_outputs);
  std::uint64_t doubles = 0;
  for (auto& d : h.doubles_per_path) {
    if (!get(payload, pos, d)) return false;
    doubles += d * h.n_paths;
  }
  h.data_pos = pos;
  return payload.size() == pos + doubles * sizeof(double);
}

// Scans the whole records of a journal; returns the scenarios and the end of the last record kept.
std::vector<ResultsJournal::Scenario> scan(int fd, std::uint64_t& end) {
  std::vector<ResultsJournal::Scenario> out;
  std::uint64_t offset = 0;
  end = 0;
  for (;;) {
    char header[kHeaderBytes];
    if (!read_at(fd, offset, header, kHeaderBytes) || std::memcmp(header, kMagic, 4) != 0) break;
    std::uint32_t type = 0;
    std::uint64_t length = 0;
    std::memcpy(&type, header + 4, sizeof type);
    std::memcpy(&length, header + 8, sizeof length);
    if (length > kMaxPayloadBytes) break;
    std::string payload(length, '\0');
    std::string digest(kDigestBytes, '\0');
    if (!read_at(fd, offset + kHeaderBytes, payload.data(), length) ||
        !read_at(fd, offset + kHeaderBytes + length, digest.data(), kDigestBytes) ||
        digest != digest_of(type, payload))
      break;
    const std::uint64_t payload_offset = offset + kHeaderBytes;
    if (type == kTypeScenario) {
      std::size_t pos = 0;
      std::uint64_t index = 0;
      // Scenarios come in run order, each once.
      if (!get(payload, pos, index) || index != out.size()) break;
      out.push_back({index, payload.substr(pos), {}});
    } else if (type == kTypeBlock) {
      BlockHeader h;
      if (!parse_block_header(payload, h) || h.index >= out.size() || h.n_paths == 0) break;
      auto& blocks = out[h.index].blocks;
      const std::uint64_t next =
          blocks.empty() ? 0 : blocks.back().first_path + blocks.back().n_paths;
      if (h.first_path != next) break;  // blocks are journalled in path order
      blocks.push_back({h.first_path, h.n_paths, payload_offset, length});
    } else {
      break;
    }
    offset = payload_offset + length + kDigestBytes;
    end = offset;
  }
  return out;
}
}  // namespace

ResultsJournal ResultsJournal::create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) throw Error(errno_message("cannot create the resume journal", path));
  return ResultsJournal(path, fd);
}

ResultsJournal ResultsJournal::reopen(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw Error(errno_message("cannot open the resume journal", path));
  ResultsJournal j(path, fd);
  std::uint64_t end = 0;
  j.scenarios_ = scan(fd, end);
  // Cut the torn tail so that new records follow the last whole one.
  if (::ftruncate(fd, static_cast<off_t>(end)) != 0 ||
      ::lseek(fd, static_cast<off_t>(end), SEEK_SET) < 0)
    throw Error(errno_message("cannot cut the torn end of the resume journal", path));
  return j;
}

ResultsJournal::ResultsJournal(ResultsJournal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      scenarios_(std::move(other.scenarios_)) {}

ResultsJournal& ResultsJournal::operator=(ResultsJournal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    scenarios_ = std::move(other.scenarios_);
  }
  return *this;
}

ResultsJournal::~ResultsJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultsJournal::append_record(std::uint32_t type, const std::string& payload) {
  std::string record(kMagic, sizeof kMagic);
  put(record, type);
  put(record, static_cast<std::uint64_t>(payload.size()));
  record += payload;
  record += digest_of(type, payload);
  write_all(fd_, record, path_);
}

void ResultsJournal::append_scenario(std::uint64_t index, const std::string& identity) {
  std::string payload;
  put(payload, index);
  payload += identity;
  append_record(kTypeScenario, payload);
  scenarios_.push_back({index, identity, {}});
}

void ResultsJournal::append_block(std::uint64_t index, std::uint64_t first_path,
                                  std::uint64_t n_paths,
                                  const std::vector<std::uint64_t>& doubles_per_path,
                                  const std::vector<const double*>& data) {
  std::string payload;
  std::uint64_t doubles = 0;
  for (auto d : doubles_per_path) doubles += d * n_paths;
  payload.reserve(8 * (4 + doubles_per_path.size()) + doubles * sizeof(double));
  put(payload, index);
  put(payload, first_path);
  put(payload, n_paths);
  put(payload, static_cast<std::uint64_t>(doubles_per_path.size()));
  for (auto d : doubles_per_path) put(payload, d);
  for (std::size_t k = 0; k < doubles_per_path.size(); ++k)
    payload.append(reinterpret_cast<const char*>(data[k]),
                   doubles_per_path[k] * n_paths * sizeof(double));
  append_record(kTypeBlock, payload);
}

void ResultsJournal::read_block(const Block& b, const std::vector<std::uint64_t>& doubles_per_path,
                                std::vector<std::vector<double>>& out) const {
  std::string payload(b.payload_bytes, '\0');
  BlockHeader h;
  if (!read_at(fd_, b.offset, payload.data(), payload.size()) || !parse_block_header(payload, h))
    throw Error("the resume journal " + path_.string() + " changed while it was read");
  if (h.doubles_per_path != doubles_per_path)
    throw Error("cannot resume: the journalled outputs of " + path_.string() +
                " differ from this run's (remove it and the .partial file, or use --force)");
  out.resize(doubles_per_path.size());
  std::size_t pos = h.data_pos;
  for (std::size_t k = 0; k < doubles_per_path.size(); ++k) {
    out[k].resize(doubles_per_path[k] * b.n_paths);
    std::memcpy(out[k].data(), payload.data() + pos, out[k].size() * sizeof(double));
    pos += out[k].size() * sizeof(double);
  }
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> journal_coverage(
    const std::filesystem::path& path) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  std::uint64_t end = 0;
  for (const auto& s : scan(fd, end))
    out.emplace_back(s.index,
                     s.blocks.empty() ? 0 : s.blocks.back().first_path + s.blocks.back().n_paths);
  ::close(fd);
  return out;
}

}  // namespace hashsim::io
