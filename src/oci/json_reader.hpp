// Typed reads from a JSON document that remember where they are, so every type
// error names the field by its path in config.json ("linux.resources.memory.limit:
// expected an integer, got string"). Internal to the config parser.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.hpp"
#include "base/result.hpp"

namespace berth::oci::detail {

// A JSON value and its path from the document root ("" for the root itself).
class JsonNode {
  public:
    JsonNode(const Json& j, std::string path) : j_(&j), path_(std::move(path)) {}

    const Json& json() const { return *j_; }
    const std::string& path() const { return path_; }

    // The member `key`, or nullopt when absent or null: Go's encoding/json (and so
    // runc) treats an explicit null like a missing field, and configs written by Go
    // tools carry such nulls.
    std::optional<JsonNode> member(std::string_view key) const {
        // Through the underlying map: GCC's -Wnull-dereference sees through
        // nlohmann's iterator into a pointer it can't prove non-null.
        auto* obj = j_->get_ptr<const Json::object_t*>();
        if (!obj) return std::nullopt;
        auto it = obj->find(key);
        if (it == obj->end() || it->second.is_null()) return std::nullopt;
        return JsonNode(it->second,
                        path_.empty() ? std::string(key) : path_ + "." + std::string(key));
    }
    JsonNode element(size_t i) const {
        return JsonNode((*j_)[i], path_ + "[" + std::to_string(i) + "]");
    }

    // "path: what" (just "what" at the root).
    std::unexpected<Error> error(std::string_view what) const {
        return fail(path_.empty() ? std::string(what) : path_ + ": " + std::string(what));
    }
    // "path: expected <expected>, got <type>".
    std::unexpected<Error> type_error(std::string_view expected) const {
        return error("expected " + std::string(expected) + ", got " + describe(*j_));
    }

    static std::string describe(const Json& j) {
        if (j.is_number_float()) return "number " + j.dump();
        return j.type_name();
    }

  private:
    const Json* j_;
    std::string path_;
};

template <typename T>
concept JsonInteger = std::integral<T> && !std::same_as<T, bool>;

inline Result<void> read(const JsonNode& n, std::string& out) {
    if (!n.json().is_string()) return n.type_error("a string");
    out = n.json().get<std::string>();
    return {};
}

inline Result<void> read(const JsonNode& n, bool& out) {
    if (!n.json().is_boolean()) return n.type_error("a boolean");
    out = n.json().get<bool>();
    return {};
}

// Integers are range-checked against the C++ type, which follows the schema's
// int64/uint32/... definitions, so "-1" for a uint32 is an error, not a wrap.
template <JsonInteger T>
Result<void> read(const JsonNode& n, T& out) {
    const Json& j = n.json();
    if (!j.is_number_integer()) return n.type_error("an integer");
    using Lim = std::numeric_limits<T>;
    bool in_range;
    if (j.is_number_unsigned()) {
        auto v = j.get<uint64_t>();
        in_range = v <= static_cast<uint64_t>(Lim::max());
        if (in_range) out = static_cast<T>(v);
    } else {
        auto v = j.get<int64_t>();
        in_range = std::cmp_greater_equal(v, Lim::min()) && std::cmp_less_equal(v, Lim::max());
        if (in_range) out = static_cast<T>(v);
    }
    if (!in_range)
        return n.error("expected an integer in [" + std::to_string(Lim::min()) + ", " +
                       std::to_string(Lim::max()) + "], got " + j.dump());
    return {};
}

inline Result<void> read(const JsonNode& n, std::vector<std::string>& out) {
    if (!n.json().is_array()) return n.type_error("an array of strings");
    out.clear();
    for (size_t i = 0; i < n.json().size(); ++i) {
        auto e = n.element(i);
        if (!e.json().is_string()) return e.type_error("a string");
        out.push_back(e.json().get<std::string>());
    }
    return {};
}

template <JsonInteger T>
Result<void> read(const JsonNode& n, std::vector<T>& out) {
    if (!n.json().is_array()) return n.type_error("an array of integers");
    out.clear();
    for (size_t i = 0; i < n.json().size(); ++i) {
        T v{};
        BERTH_TRYV(read(n.element(i), v));
        out.push_back(v);
    }
    return {};
}

// Objects mapping string to string (annotations, sysctl, unified).
inline Result<void> read(const JsonNode& n, std::map<std::string, std::string>& out) {
    if (!n.json().is_object()) return n.type_error("an object of strings");
    out.clear();
    for (auto& [k, v] : n.json().items()) {
        if (!v.is_string()) return JsonNode(v, n.path() + "." + k).type_error("a string");
        out.emplace(k, v.get<std::string>());
    }
    return {};
}

template <typename T>
Result<void> read(const JsonNode& n, std::optional<T>& out) {
    T v{};
    BERTH_TRYV(read(n, v));
    out = std::move(v);
    return {};
}

// Reads obj.key into `out` when the member is present; leaves `out` alone if not.
template <typename T>
Result<void> get(const JsonNode& obj, std::string_view key, T& out) {
    if (auto m = obj.member(key)) return read(*m, out);
    return {};
}

// obj.key as an object handed to `parse` (JsonNode -> Result<T>), when present.
template <typename T, typename F>
Result<void> get_object(const JsonNode& obj, std::string_view key, std::optional<T>& out,
                        F&& parse) {
    auto m = obj.member(key);
    if (!m) return {};
    if (!m->json().is_object()) return m->type_error("an object");
    out = BERTH_TRY(parse(*m));
    return {};
}

// obj.key as an array of objects, each handed to `parse`.
template <typename T, typename F>
Result<void> get_array(const JsonNode& obj, std::string_view key, std::vector<T>& out, F&& parse) {
    auto m = obj.member(key);
    if (!m) return {};
    if (!m->json().is_array()) return m->type_error("an array");
    out.clear();
    for (size_t i = 0; i < m->json().size(); ++i) {
        auto e = m->element(i);
        if (!e.json().is_object()) return e.type_error("an object");
        out.push_back(BERTH_TRY(parse(e)));
    }
    return {};
}

// obj.key as an object whose members are objects, each handed to `parse`
// (netDevices, rdma: the key names a device).
template <typename T, typename F>
Result<void> get_map(const JsonNode& obj, std::string_view key, std::map<std::string, T>& out,
                     F&& parse) {
    auto m = obj.member(key);
    if (!m) return {};
    if (!m->json().is_object()) return m->type_error("an object");
    out.clear();
    for (auto& [k, v] : m->json().items()) {
        JsonNode e(v, m->path() + "." + k);
        if (!v.is_object()) return e.type_error("an object");
        out.emplace(k, BERTH_TRY(parse(e)));
    }
    return {};
}

}  // namespace berth::oci::detail
