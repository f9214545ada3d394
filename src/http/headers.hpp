// HTTP header fields in arrival order, looked up case-insensitively
// (RFC 9110 §5.1: field names are case-insensitive).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::http {

// Extra fields a handler or caller adds to a message, written as given.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Headers {
  public:
    void add(std::string name, std::string value);
    // The first field named `name`, if any.
    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    // Whether any `name` field lists `token` in its comma-separated value,
    // ignoring case ("Connection: keep-alive, Upgrade" has "upgrade").
    bool has_token(std::string_view name, std::string_view token) const;
    const HeaderList& fields() const { return fields_; }

  private:
    HeaderList fields_;
};

// ASCII case-insensitive equality, as header names and tokens need.
bool iequals(std::string_view a, std::string_view b);

}  // namespace berth::http
