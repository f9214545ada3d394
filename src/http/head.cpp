#include "http/head.hpp"

#include <algorithm>
#include <cctype>

namespace berth::http {

namespace {

using Kind = HeadError::Kind;

std::unexpected<HeadError> head_error(Kind kind, std::string message) {
    return std::unexpected(HeadError{kind, std::move(message)});
}

// tchar of RFC 9110 §5.6.2: what a field name may be made of.
bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::expected<void, HeadError> add_field(Headers& headers, const std::string& line) {
    auto colon = line.find(':');
    std::string_view name(line.data(), colon == std::string::npos ? 0 : colon);
    // Whitespace before the colon or a leading space (obsolete line folding) is
    // rejected, as RFC 9112 §5.1 and §5.2 require of a server.
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
        return head_error(Kind::malformed, "malformed header line \"" + line.substr(0, 60) + "\"");
    std::string_view value(line);
    value.remove_prefix(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    headers.add(std::string(name), std::string(value));
    return {};
}

}  // namespace

std::expected<Head, HeadError> read_head(SocketReader& in, std::size_t limit) {
    Head head;
    std::size_t budget = limit;
    bool first = true;
    for (;;) {
        auto line = in.read_line(budget);
        if (!line) {
            auto e = head_error(Kind::io, line.error().message);
            e.error().cause = line.error().kind;
            return e;
        }
        switch (line->status) {
            case SocketReader::LineStatus::ok: break;
            case SocketReader::LineStatus::too_long:
                return head_error(Kind::too_large,
                                  "message head larger than " + std::to_string(limit) + " bytes");
            case SocketReader::LineStatus::eof:
                if (first) return head_error(Kind::closed, "connection closed");
                return head_error(Kind::io, "connection closed mid-head");
        }
        first = false;
        budget -= std::min(budget, line->text.size() + 2);
        // RFC 9112 §2.2: empty lines before the start line are ignored.
        if (head.start_line.empty()) {
            head.start_line = std::move(line->text);
            continue;
        }
        if (line->text.empty()) return head;
        if (auto r = add_field(head.headers, line->text); !r) return std::unexpected(r.error());
    }
}

}  // namespace berth::http
