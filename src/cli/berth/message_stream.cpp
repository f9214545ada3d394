#include "cli/berth/message_stream.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include "base/strings.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {

std::optional<size_t> JsonMessageReader::complete_value_end() const {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    bool started = false;
    for (size_t i = 0; i < buffer_.size(); ++i) {
        char c = buffer_[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true, started = true;
        else if (c == '{' || c == '[') ++depth, started = true;
        else if (c == '}' || c == ']') --depth;
        else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') started = true;
        // Objects and arrays end at their closing bracket; docker's messages are
        // objects, so a scalar value only ends at a newline.
        if (started && depth == 0 && (c == '}' || c == ']' || c == '\n')) return i + 1;
    }
    return std::nullopt;
}

Result<std::optional<Json>> JsonMessageReader::next() {
    while (true) {
        if (auto end = complete_value_end()) {
            std::string text = buffer_.substr(0, *end);
            buffer_.erase(0, *end);
            return std::optional<Json>(BERTH_TRY(parse_json(text, "daemon's message stream")));
        }
        if (eof_) {
            if (trim(buffer_).empty()) return std::optional<Json>();
            return fail("daemon's message stream ended inside a message: \"" + buffer_.substr(0, 80) + "\"");
        }
        char chunk[16384];
        size_t n = BERTH_TRY(in_.read(chunk, sizeof chunk));
        if (n == 0) eof_ = true;
        buffer_.append(chunk, n);
    }
}

std::string render_message(const Json& message) {
    if (!message.is_object()) return "";
    if (auto it = message.find("stream"); it != message.end() && it->is_string()) return it->get<std::string>();
    auto status = message.find("status");
    if (status == message.end() || !status->is_string()) return "";
    // A progress bar update ("Downloading" with current/total): docker draws those
    // on a terminal only and prints nothing for them elsewhere.
    if (auto detail = message.find("progressDetail");
        detail != message.end() && detail->is_object() && detail->contains("current"))
        return "";
    std::string line;
    if (auto id = message.find("id"); id != message.end() && id->is_string() && !id->get<std::string>().empty())
        line = id->get<std::string>() + ": ";
    return line + status->get<std::string>() + "\n";
}

std::optional<std::string> message_error(const Json& message) {
    if (!message.is_object()) return std::nullopt;
    if (auto detail = message.find("errorDetail"); detail != message.end() && detail->is_object()) {
        if (auto m = detail->find("message"); m != detail->end() && m->is_string()) return m->get<std::string>();
    }
    if (auto e = message.find("error"); e != message.end() && e->is_string()) return e->get<std::string>();
    return std::nullopt;
}

namespace {

std::int64_t detail_number(const Json& detail, const char* key) {
    auto it = detail.find(key);
    return it != detail.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string string_field(const Json& message, const char* key) {
    auto it = message.find(key);
    return it != message.end() && it->is_string() ? it->get<std::string>() : "";
}

// ANSI CSI sequences (ECMA-48 §8.3): cursor up/down n lines, erase the whole line.
std::string cursor_up(std::size_t n) {
    return n == 0 ? "" : "\x1b[" + std::to_string(n) + "A";
}
std::string cursor_down(std::size_t n) {
    return n == 0 ? "" : "\x1b[" + std::to_string(n) + "B";
}
constexpr std::string_view kEraseLine = "\x1b[2K";

// "%8v" of Go: right-aligned in 8 columns, longer text as is.
std::string pad8(std::string text) {
    if (text.size() < 8) text.insert(0, 8 - text.size(), ' ');
    return text;
}

}  // namespace

std::string progress_text(const Json& detail, int width) {
    if (!detail.is_object()) return "";
    std::int64_t current = detail_number(detail, "current");
    std::int64_t total = detail_number(detail, "total");
    if (current <= 0 && total <= 0) return "";
    if (total <= 0) return pad8(human_size(static_cast<double>(current)));
    std::string bar;
    if (width > 110) {
        auto filled =
            std::min<std::int64_t>(static_cast<std::int64_t>(static_cast<double>(current) /
                                                             static_cast<double>(total) * 100) /
                                       2,
                                   50);
        bar = "[" + std::string(static_cast<std::size_t>(filled), '=') + ">" +
              std::string(static_cast<std::size_t>(50 - filled), ' ') + "] ";
    }
    // A current beyond the total is not believed: the count alone.
    if (current > total) return bar + pad8(human_size(static_cast<double>(current)));
    return bar + pad8(human_size(static_cast<double>(current))) + "/" +
           human_size(static_cast<double>(total));
}

std::string TerminalRenderer::render(const Json& message) {
    if (!message.is_object()) return "";
    std::string id = string_field(message, "id");
    auto detail = message.find("progressDetail");
    bool has_progress = detail != message.end() && detail->is_object();
    std::string stream = string_field(message, "stream");
    std::string out;
    std::size_t down = 0;
    if (!id.empty() && has_progress) {
        auto [it, added] = lines_.try_emplace(id, lines_.size());
        if (added) out += "\n";
        down = lines_.size() - it->second;
        out += cursor_up(down);
    } else {
        lines_.clear();
    }
    if (!has_progress || !stream.empty()) {
        if (!id.empty()) out += id + ": ";
        out += stream.empty() ? string_field(message, "status") + "\n" : stream;
        return out;
    }
    out += std::string(kEraseLine) + "\r";
    if (!id.empty()) out += id + ": ";
    out += string_field(message, "status") + " " + progress_text(*detail, width_) + "\r";
    return out + cursor_down(down);
}

std::optional<int> terminal_width(int fd) {
    if (!::isatty(fd)) return std::nullopt;
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return 200;
    return static_cast<int>(ws.ws_col);
}

Result<void> display_messages(ByteReader& in, ByteWriter& out, std::optional<int> terminal_width) {
    JsonMessageReader reader(in);
    std::optional<TerminalRenderer> terminal;
    if (terminal_width) terminal.emplace(*terminal_width);
    while (auto message = BERTH_TRY(reader.next())) {
        if (auto error = message_error(*message)) return fail(*error);
        BERTH_TRYV(out.write(terminal ? terminal->render(*message) : render_message(*message)));
    }
    return {};
}

}  // namespace berth::cli
