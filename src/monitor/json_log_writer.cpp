#include "monitor/json_log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include "base/file.hpp"

namespace berth::monitor {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t n;
    char32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t n = utf8_sequence(s, i);
            if (n == 0) {
                out += "\\ufffd";
                ++i;
            } else if (n == 3 && c == 0xe2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                       (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8) {
                out += (s[i + 2] == '\xa8') ? "\\u2028" : "\\u2029";
                i += 3;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xf]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
        ++i;
    }
    out.push_back('"');
}

std::string rfc3339_nano(std::int64_t unix_ns) {
    time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
    long nanos = static_cast<long>(unix_ns % 1'000'000'000);
    tm t{};
    gmtime_r(&secs, &t);
    char buf[64];
    std::size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    if (nanos != 0) {
        char frac[16];
        std::snprintf(frac, sizeof frac, ".%09ld", nanos);
        std::size_t len = 10;
        while (frac[len - 1] == '0') --len;
        frac[len] = '\0';
        n += static_cast<std::size_t>(std::snprintf(buf + n, sizeof buf - n, "%s", frac));
    }
    std::snprintf(buf + n, sizeof buf - n, "Z");
    return buf;
}

std::string json_log_line(std::string_view text, bool is_stderr, std::int64_t unix_ns) {
    std::string line;
    line.reserve(text.size() + 80);
    line += "{\"log\":";
    append_json_string(line, text);
    line += is_stderr ? ",\"stream\":\"stderr\",\"time\":\"" : ",\"stream\":\"stdout\",\"time\":\"";
    line += rfc3339_nano(unix_ns);
    line += "\"}\n";
    return line;
}

Result<JsonLogWriter> JsonLogWriter::open(const std::string& path, LogLimits limits) {
    if (limits.max_file < 1) limits.max_file = 1;
    auto fd = BERTH_TRY(open_fd(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return sys_fail("stat " + path);
    return JsonLogWriter(path, limits, std::move(fd), st.st_size);
}

Result<void> JsonLogWriter::write(bool is_stderr, std::string_view data, std::int64_t unix_ns) {
    std::string& partial = partial_[is_stderr ? 1 : 0];
    while (!data.empty()) {
        auto nl = data.find('\n');
        std::size_t room = kMaxLogLine - partial.size();
        if (nl != std::string_view::npos && nl < room) {
            if (partial.empty()) {
                BERTH_TRYV(emit(data.substr(0, nl + 1), is_stderr, unix_ns));
            } else {
                partial.append(data.substr(0, nl + 1));
                BERTH_TRYV(emit(partial, is_stderr, unix_ns));
                partial.clear();
            }
            data.remove_prefix(nl + 1);
            continue;
        }
        std::size_t take = std::min(room, data.size());
        partial.append(data.substr(0, take));
        data.remove_prefix(take);
        if (partial.size() == kMaxLogLine) {
            BERTH_TRYV(emit(partial, is_stderr, unix_ns));
            partial.clear();
        }
    }
    return {};
}

Result<void> JsonLogWriter::flush(std::int64_t unix_ns) {
    for (int s = 0; s < 2; ++s) {
        if (partial_[s].empty()) continue;
        BERTH_TRYV(emit(partial_[s], s == 1, unix_ns));
        partial_[s].clear();
        // Keep the capacity from growing idle monitors: a flushed stream is done.
        partial_[s].shrink_to_fit();
    }
    return {};
}

Result<void> JsonLogWriter::emit(std::string_view text, bool is_stderr, std::int64_t unix_ns) {
    std::string line = json_log_line(text, is_stderr, unix_ns);
    auto len = static_cast<std::int64_t>(line.size());
    if (limits_.max_size > 0 && size_ > 0 && size_ + len > limits_.max_size) BERTH_TRYV(rotate());
    BERTH_TRYV_CTX(write_all(fd_.get(), line), "write " + path_);
    size_ += len;
    return {};
}

// path.(max_file-1) falls off; path.k -> path.(k+1); path -> path.1; a new path.
// With max_file 1 the one file starts over (docker truncates it).
Result<void> JsonLogWriter::rotate() {
    if (limits_.max_file > 1) {
        auto numbered = [&](int k) { return path_ + "." + std::to_string(k); };
        if (::unlink(numbered(limits_.max_file - 1).c_str()) != 0 && errno != ENOENT)
            return sys_fail("rotate log: remove " + numbered(limits_.max_file - 1));
        for (int k = limits_.max_file - 2; k >= 1; --k)
            if (::rename(numbered(k).c_str(), numbered(k + 1).c_str()) != 0 && errno != ENOENT)
                return sys_fail("rotate log: rename " + numbered(k));
        if (::rename(path_.c_str(), numbered(1).c_str()) != 0)
            return sys_fail("rotate log: rename " + path_);
        fd_ = BERTH_TRY(open_fd(path_, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
    } else if (::ftruncate(fd_.get(), 0) != 0) {
        return sys_fail("rotate log: truncate " + path_);
    }
    size_ = 0;
    return {};
}

}  // namespace berth::monitor
