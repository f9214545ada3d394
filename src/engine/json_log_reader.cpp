#include "engine/json_log_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <thread>
#include <vector>

#include "base/json.hpp"
#include "base/time.hpp"

namespace berth::engine {
namespace {

// Reads an fd from its current offset to EOF, retrying EINTR.
std::string read_available(int fd) {
    std::string out;
    char buf[64 * 1024];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

class Filter {
  public:
    Filter(const LogReadOptions& o, const std::function<bool(const LogEntry&)>& emit)
        : o_(o), emit_(emit) {}
    // False: stop reading (the consumer is done, or past `until`).
    bool line(std::string_view text) {
        auto e = parse_log_line(text);
        if (!e) return true;
        if (o_.until_ns && e->time_ns > o_.until_ns) return false;
        if (o_.since_ns && e->time_ns < o_.since_ns) return true;
        if (e->stream == 1 ? !o_.stdout_ : !o_.stderr_) return true;
        return emit_(*e);
    }

  private:
    const LogReadOptions& o_;
    const std::function<bool(const LogEntry&)>& emit_;
};

// Splits complete lines off `pending`, passing each on; false when told to stop.
bool feed(std::string& pending, Filter& f) {
    std::size_t start = 0;
    for (;;) {
        auto nl = pending.find('\n', start);
        if (nl == std::string::npos) break;
        if (!f.line(std::string_view(pending).substr(start, nl - start))) return false;
        start = nl + 1;
    }
    pending.erase(0, start);
    return true;
}

struct OpenLog {
    int fd = -1;
    ino_t ino = 0;
    ~OpenLog() {
        if (fd >= 0) ::close(fd);
    }
};

bool open_log(const std::string& path, OpenLog& l) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    ::fstat(fd, &st);
    if (l.fd >= 0) ::close(l.fd);
    l.fd = fd;
    l.ino = st.st_ino;
    return true;
}

// Follows `path` from the open `live` file's offset: new lines as they come;
// after a rotation the rest of the old file, then the new one from its start.
void follow(const std::string& path, OpenLog& live, std::string& pending, Filter& f,
            const std::function<bool()>& keep_following) {
    for (;;) {
        bool more = keep_following();
        if (live.fd >= 0) {
            pending += read_available(live.fd);
            if (!feed(pending, f)) return;
        }
        struct stat st {};
        bool rotated = ::stat(path.c_str(), &st) == 0 && (live.fd < 0 || st.st_ino != live.ino);
        if (rotated) {
            pending.clear();  // a torn last line of the old file is lost, as in docker
            if (open_log(path, live)) continue;
        } else if (live.fd >= 0) {
            struct stat cur {};
            // max_file 1 truncates in place: start over.
            if (::fstat(live.fd, &cur) == 0 && cur.st_size < ::lseek(live.fd, 0, SEEK_CUR)) {
                ::lseek(live.fd, 0, SEEK_SET);
                pending.clear();
                continue;
            }
        }
        if (!more) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace

std::optional<LogEntry> parse_log_line(std::string_view line) {
    auto j = parse_json(line, "log line");
    if (!j || !j->is_object()) return std::nullopt;
    auto log = j->find("log");
    auto stream = j->find("stream");
    auto time = j->find("time");
    if (log == j->end() || !log->is_string() || stream == j->end() || !stream->is_string() ||
        time == j->end() || !time->is_string())
        return std::nullopt;
    LogEntry e;
    auto s = stream->get<std::string>();
    if (s == "stdout")
        e.stream = 1;
    else if (s == "stderr")
        e.stream = 2;
    else
        return std::nullopt;
    auto t = parse_rfc3339_nanos(time->get<std::string>());
    if (!t) return std::nullopt;
    e.time_ns = *t;
    e.text = log->get<std::string>();
    return e;
}

Result<void> read_json_log(const std::string& path, const LogReadOptions& o,
                           const std::function<bool(const LogEntry&)>& emit,
                           const std::function<bool()>& keep_following) {
    // Open every file first: a rotation while we read can't make us skip one.
    std::vector<OpenLog> files;
    int rotated = 0;
    while (::access((path + "." + std::to_string(rotated + 1)).c_str(), F_OK) == 0) ++rotated;
    files.resize(static_cast<std::size_t>(rotated) + 1);
    for (int k = rotated; k >= 1; --k)
        open_log(path + "." + std::to_string(k), files[static_cast<std::size_t>(rotated - k)]);
    OpenLog& live = files.back();
    open_log(path, live);

    Filter filter(o, emit);
    std::string pending;
    if (o.tail) {
        // The last N complete lines of all files, oldest first.
        std::deque<std::string> last;
        for (auto& f : files) {
            if (f.fd < 0) continue;
            std::string text = read_available(f.fd);
            std::size_t start = 0;
            for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
                if (*o.tail > 0) {
                    last.emplace_back(text, start, nl - start);
                    if (last.size() > *o.tail) last.pop_front();
                }
                start = nl + 1;
            }
            if (&f == &live) pending = text.substr(start);
        }
        for (auto& line : last)
            if (!filter.line(line)) return {};
    } else {
        for (auto& f : files) {
            if (f.fd < 0) continue;
            std::string text = read_available(f.fd);
            if (!feed(text, filter)) return {};
            if (&f == &live) pending = std::move(text);
        }
    }
    if (o.follow) follow(path, live, pending, filter, keep_following);
    return {};
}

}  // namespace berth::engine
