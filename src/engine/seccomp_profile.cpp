#include "engine/seccomp_profile.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <map>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace berth::engine {

extern const char* const kDockerDefaultSeccompJson;  // generated (cmake/embed_text.cmake)

namespace {

std::unexpected<Error> invalid(std::string message) {
    return fail_as(ErrorKind::invalid_argument, std::move(message));
}

// libseccomp's native arch name -> the SCMP_ARCH_* name archMap uses.
std::string scmp_arch_of(std::string_view arch) {
    static const std::map<std::string_view, std::string_view> table = {
        {"x86", "SCMP_ARCH_X86"},           {"amd64", "SCMP_ARCH_X86_64"},
        {"x32", "SCMP_ARCH_X32"},           {"arm", "SCMP_ARCH_ARM"},
        {"arm64", "SCMP_ARCH_AARCH64"},     {"mips", "SCMP_ARCH_MIPS"},
        {"mips64", "SCMP_ARCH_MIPS64"},     {"mips64n32", "SCMP_ARCH_MIPS64N32"},
        {"mipsel", "SCMP_ARCH_MIPSEL"},     {"mipsel64", "SCMP_ARCH_MIPSEL64"},
        {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"}, {"ppc", "SCMP_ARCH_PPC"},
        {"ppc64", "SCMP_ARCH_PPC64"},       {"ppc64le", "SCMP_ARCH_PPC64LE"},
        {"s390", "SCMP_ARCH_S390"},         {"s390x", "SCMP_ARCH_S390X"},
        {"riscv64", "SCMP_ARCH_RISCV64"}};
    auto it = table.find(arch);
    return it == table.end() ? std::string() : std::string(it->second);
}

// "6.1.0-13-amd64" -> {6, 1}; "4.8" -> {4, 8}.
std::pair<long, long> kernel_version(std::string_view release) {
    auto parts = split(release.substr(0, release.find_first_not_of("0123456789.")), '.');
    long major = parts.size() > 0 ? parse_int(parts[0]).value_or(0) : 0;
    long minor = parts.size() > 1 ? parse_int(parts[1]).value_or(0) : 0;
    return {major, minor};
}

std::string running_kernel_release() {
    utsname u{};
    return ::uname(&u) == 0 ? u.release : "";
}

std::vector<std::string> strings_at(const Json& obj, const char* key) {
    std::vector<std::string> out;
    if (!obj.is_object()) return out;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_array()) return out;
    for (auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
    return std::ranges::find(list, s) != list.end();
}

struct Host {
    const std::vector<std::string>& caps;
    std::string arch;
    std::pair<long, long> kernel;
};

// dockerd's rules: every included cap must be held, the arch must be listed, the
// kernel at least minKernel; any excluded cap held or arch matching drops the rule.
bool rule_applies(const Json& rule, const Host& host) {
    const Json none = Json::object();
    const Json& inc = rule.contains("includes") && rule["includes"].is_object() ? rule["includes"] : none;
    const Json& exc = rule.contains("excludes") && rule["excludes"].is_object() ? rule["excludes"] : none;
    for (auto& cap : strings_at(inc, "caps"))
        if (!contains(host.caps, cap)) return false;
    auto arches = strings_at(inc, "arches");
    if (!arches.empty() && !contains(arches, host.arch)) return false;
    if (inc.contains("minKernel") && inc["minKernel"].is_string() &&
        host.kernel < kernel_version(inc["minKernel"].get<std::string>()))
        return false;
    for (auto& cap : strings_at(exc, "caps"))
        if (contains(host.caps, cap)) return false;
    if (contains(strings_at(exc, "arches"), host.arch)) return false;
    return true;
}

Result<oci::SeccompArg> arg_of(const Json& a) {
    if (!a.is_object() || !a.contains("index") || !a.contains("op"))
        return invalid("seccomp profile: an argument needs index and op");
    oci::SeccompArg out;
    out.index = a["index"].get<unsigned>();
    out.value = a.value("value", std::uint64_t{0});
    out.value_two = a.value("valueTwo", std::uint64_t{0});
    out.op = a["op"].get<std::string>();
    return out;
}

Result<std::optional<oci::SeccompSyscall>> syscall_of(const Json& rule, const Host& host) {
    if (!rule.is_object()) return invalid("seccomp profile: a syscalls entry must be an object");
    if (rule.contains("name") && rule.contains("names"))
        return invalid("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    if (!rule_applies(rule, host)) return std::optional<oci::SeccompSyscall>();
    oci::SeccompSyscall s;
    if (rule.contains("name")) s.names = {rule["name"].get<std::string>()};
    else s.names = strings_at(rule, "names");
    if (!rule.contains("action") || !rule["action"].is_string())
        return invalid("seccomp profile: a syscalls entry needs an action");
    s.action = rule["action"];
    if (rule.contains("errnoRet") && rule["errnoRet"].is_number_unsigned())
        s.errno_ret = rule["errnoRet"].get<uint32_t>();
    if (rule.contains("args") && rule["args"].is_array())
        for (auto& a : rule["args"]) s.args.push_back(BERTH_TRY(arg_of(a)));
    return std::optional(std::move(s));
}

Result<std::vector<std::string>> architectures_of(const Json& profile, const std::string& arch) {
    bool has_map = profile.contains("archMap") && profile["archMap"].is_array() && !profile["archMap"].empty();
    auto listed = strings_at(profile, "architectures");
    if (has_map && !listed.empty())
        return invalid("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
    if (!has_map) return listed;
    std::vector<std::string> out;
    std::string native = scmp_arch_of(arch);
    for (auto& entry : profile["archMap"]) {
        if (!entry.is_object() || entry.value("architecture", std::string()) != native) continue;
        out.push_back(native);
        for (auto& sub : strings_at(entry, "subArchitectures")) out.push_back(sub);
    }
    return out;
}

}  // namespace

Result<oci::Seccomp> seccomp_from_docker_profile(const Json& profile,
                                                 const std::vector<std::string>& effective_caps,
                                                 std::string_view host_arch,
                                                 std::string_view kernel_release) {
    if (!profile.is_object()) return invalid("seccomp profile must be a JSON object");
    if (!profile.contains("defaultAction") || !profile["defaultAction"].is_string())
        return invalid("seccomp profile: defaultAction is required");
    std::string release = kernel_release.empty() ? running_kernel_release() : std::string(kernel_release);
    Host host{effective_caps, std::string(host_arch), kernel_version(release)};
    oci::Seccomp out;
    out.default_action = profile["defaultAction"];
    if (profile.contains("defaultErrnoRet") && profile["defaultErrnoRet"].is_number_unsigned())
        out.default_errno_ret = profile["defaultErrnoRet"].get<uint32_t>();
    out.architectures = BERTH_TRY(architectures_of(profile, host.arch));
    out.flags = strings_at(profile, "flags");
    out.listener_path = profile.value("listenerPath", std::string());
    out.listener_metadata = profile.value("listenerMetadata", std::string());
    if (profile.contains("syscalls") && profile["syscalls"].is_array())
        for (auto& rule : profile["syscalls"])
            if (auto s = BERTH_TRY(syscall_of(rule, host))) out.syscalls.push_back(std::move(*s));
    return out;
}

const Json& default_seccomp_profile() {
    // The embedded text is checked by the unit tests; a parse failure here is a build bug.
    static const Json profile = Json::parse(kDockerDefaultSeccompJson, nullptr, false);
    return profile;
}

Result<Json> seccomp_profile_of_option(std::string_view value) {
    std::string text;
    if (trim(value).starts_with('{')) {
        text = std::string(value);
    } else {
        auto file = read_file(std::string(value));
        if (!file) return invalid("opening seccomp profile (" + std::string(value) + ") failed: " + file.error().message);
        text = std::move(*file);
    }
    auto j = parse_json(text, "seccomp profile");
    if (!j) return invalid("Decoding seccomp profile failed: " + j.error().message);
    if (!j->is_object()) return invalid("Decoding seccomp profile failed: not a JSON object");
    return j;
}

std::string host_seccomp_arch() {
    utsname u{};
    if (::uname(&u) != 0) return "amd64";
    std::string_view m = u.machine;
    if (m == "x86_64") return "amd64";
    if (m == "aarch64") return "arm64";
    if (m == "i386" || m == "i686") return "x86";
    if (m.starts_with("armv")) return "arm";
    return std::string(m);  // ppc64le, s390x, riscv64, mips64 spell the same
}

}  // namespace berth::engine
