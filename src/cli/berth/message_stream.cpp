#include "cli/berth/message_stream.hpp"

#include "base/strings.hpp"

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

Result<void> display_messages(ByteReader& in, ByteWriter& out) {
    JsonMessageReader reader(in);
    while (auto message = BERTH_TRY(reader.next())) {
        if (auto error = message_error(*message)) return fail(*error);
        BERTH_TRYV(out.write(render_message(*message)));
    }
    return {};
}

}  // namespace berth::cli
