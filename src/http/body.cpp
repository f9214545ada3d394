#include "http/body.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "http/chunked.hpp"
#include "base/strings.hpp"

namespace berth::http {

namespace {

class LengthReader final : public ByteReader {
  public:
    LengthReader(SocketReader& in, std::uint64_t length) : in_(in), left_(length) {}
    Result<std::size_t> read(char* buf, std::size_t size) override {
        if (left_ == 0 || size == 0) return 0;
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, left_));
        std::size_t n = BERTH_TRY(in_.read(buf, want));
        if (n == 0)
            return fail("body: connection closed with " + std::to_string(left_) +
                        " of the announced bytes missing");
        left_ -= n;
        return n;
    }

  private:
    SocketReader& in_;
    std::uint64_t left_;
};

// The rest of the connection, borrowed from its owner.
class UntilCloseReader final : public ByteReader {
  public:
    explicit UntilCloseReader(SocketReader& in) : in_(in) {}
    Result<std::size_t> read(char* buf, std::size_t size) override { return in_.read(buf, size); }

  private:
    SocketReader& in_;
};

class EmptyReader final : public ByteReader {
  public:
    Result<std::size_t> read(char*, std::size_t) override { return 0; }
};

// Transfer-Encoding when present: only "chunked" is spoken here (Docker clients
// send nothing else); nullopt when absent.
Result<std::optional<BodyFraming>> transfer_coding(const Headers& headers) {
    auto te = headers.get("Transfer-Encoding");
    if (!te) return std::nullopt;
    if (!iequals(trim(*te), "chunked"))
        return fail("unsupported Transfer-Encoding \"" + std::string(*te) + "\"");
    return BodyFraming{BodyFraming::Kind::chunked, 0};
}

// Content-Length when present; repeated fields must agree (RFC 9112 §6.3 item 5).
Result<std::optional<BodyFraming>> content_length(const Headers& headers) {
    std::optional<std::uint64_t> length;
    for (const auto& [name, value] : headers.fields()) {
        if (!iequals(name, "Content-Length")) continue;
        std::string_view v = trim(value);
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (v.empty() || ec != std::errc() || p != v.data() + v.size() || (length && *length != n))
            return fail("invalid Content-Length \"" + value + "\"");
        length = n;
    }
    if (!length) return std::nullopt;
    return BodyFraming{BodyFraming::Kind::length, *length};
}

}  // namespace

Result<BodyFraming> request_framing(const Headers& headers) {
    auto te = BERTH_TRY(transfer_coding(headers));
    // A request with both is a smuggling attempt or a broken proxy (RFC 9112 §6.3).
    if (te && headers.has("Content-Length"))
        return fail("request has both Transfer-Encoding and Content-Length");
    if (te) return *te;
    auto cl = BERTH_TRY(content_length(headers));
    return cl.value_or(BodyFraming{});
}

Result<BodyFraming> response_framing(const Headers& headers, int status, bool head_request) {
    if (head_request || status / 100 == 1 || status == 204 || status == 304) return BodyFraming{};
    if (auto te = BERTH_TRY(transfer_coding(headers))) return *te;
    if (auto cl = BERTH_TRY(content_length(headers))) return *cl;
    return BodyFraming{BodyFraming::Kind::until_close, 0};
}

std::unique_ptr<ByteReader> make_body_reader(const BodyFraming& framing, SocketReader& in) {
    switch (framing.kind) {
        case BodyFraming::Kind::length: return std::make_unique<LengthReader>(in, framing.length);
        case BodyFraming::Kind::chunked: return std::make_unique<ChunkedReader>(in);
        case BodyFraming::Kind::until_close: return std::make_unique<UntilCloseReader>(in);
        case BodyFraming::Kind::none: break;
    }
    return std::make_unique<EmptyReader>();
}

}  // namespace berth::http
