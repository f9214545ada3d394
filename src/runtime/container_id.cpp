#include "runtime/container_id.hpp"

#include <string>

namespace berth::runtime {

Result<void> validate_container_id(std::string_view id) {
    auto bad = [&](const char* why) {
        return fail("invalid container id \"" + std::string(id) + "\": " + why);
    };
    if (id.empty()) return fail("invalid container id: must not be empty");
    if (id.size() > 1024) return bad("longer than 1024 characters");
    if (id == "." || id == "..") return bad("must not be \".\" or \"..\"");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok) return bad("only letters, digits, '_', '+', '-' and '.' are allowed");
    }
    return {};
}

}  // namespace berth::runtime
