// Name tables for linux.seccomp (config-linux.md, "Seccomp") and its validation.
#include "runtime/seccomp_names.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "runtime/process_security.hpp"
#include "base/text.hpp"

namespace berth::runtime {
namespace {

template <typename T, size_t N>
std::optional<T> look_up(const std::array<std::pair<std::string_view, T>, N>& table,
                         std::string_view name) {
    for (auto& [n, v] : table)
        if (n == name) return v;
    return std::nullopt;
}

template <typename T, size_t N>
std::vector<std::string> names_of(const std::array<std::pair<std::string_view, T>, N>& table) {
    std::vector<std::string> out;
    for (auto& [n, v] : table) out.emplace_back(n);
    return out;
}

// Every architecture the runtime-spec schema lists; 0 marks the ones libseccomp
// 2.5 has no support for (they are accepted by validation and skipped when the
// filter is built, since they can't run on this machine anyway).
constexpr std::array<std::pair<std::string_view, uint32_t>, 23> architecture_table = {{
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#else
    {"SCMP_ARCH_LOONGARCH64", 0},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#else
    {"SCMP_ARCH_M68K", 0},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#else
    {"SCMP_ARCH_SH", 0},
    {"SCMP_ARCH_SHEB", 0},
#endif
}};

constexpr std::array<std::pair<std::string_view, scmp_compare>, 7> operator_table = {{
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
}};

// Actions without a return value; ERRNO and TRACE are handled apart.
constexpr std::array<std::pair<std::string_view, uint32_t>, 7> plain_action_table = {{
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
}};

// libseccomp 2.6 added SCMP_FLTATR_CTL_WAITKILL; 2.5 (Debian 12) cannot set
// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV at all.
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
constexpr std::array<std::pair<std::string_view, scmp_filter_attr>, 4> flag_table = {{
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL},
}};
#else
constexpr std::array<std::pair<std::string_view, scmp_filter_attr>, 3> flag_table = {{
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
}};
#endif
constexpr std::string_view wait_killable_flag = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";

Result<void> check_action(std::string_view field, const std::string& name) {
    if (seccomp_action(name, std::nullopt)) return {};
    return fail(cat(field, ": unknown action ", quoted(name)));
}

Result<void> check_arg(std::string_view field, const oci::SeccompArg& a) {
    // The kernel's seccomp_data carries six syscall arguments.
    if (a.index >= 6) return fail(cat(field, ".index: ", a.index, " is out of range (0 to 5)"));
    if (!seccomp_operator(a.op)) return fail(cat(field, ".op: unknown operator ", quoted(a.op)));
    return {};
}

Result<void> check_syscall(std::string_view field, const oci::SeccompSyscall& sc) {
    // Unknown syscall names are not errors: profiles list syscalls of every arch
    // and newer kernels; they are skipped when the filter is built.
    if (sc.names.empty()) return fail(cat(field, ".names: must not be empty"));
    for (size_t i = 0; i < sc.names.size(); ++i)
        if (sc.names[i].empty()) return fail(cat(field, ".names[", i, "]: empty name"));
    BERTH_TRYV(check_action(cat(field, ".action"), sc.action));
    for (size_t i = 0; i < sc.args.size(); ++i)
        BERTH_TRYV(check_arg(cat(field, ".args[", i, "]"), sc.args[i]));
    return {};
}

}  // namespace

std::optional<uint32_t> seccomp_architecture_token(std::string_view name) {
    auto token = look_up(architecture_table, name);
    if (!token || *token == 0) return std::nullopt;
    return token;
}

bool is_spec_seccomp_architecture(std::string_view name) {
    return look_up(architecture_table, name).has_value();
}

std::optional<scmp_compare> seccomp_operator(std::string_view name) {
    return look_up(operator_table, name);
}

std::optional<uint32_t> seccomp_action(std::string_view name, std::optional<uint32_t> errno_ret) {
    const uint32_t value = errno_ret.value_or(EPERM);
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(value);
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(value);
    return look_up(plain_action_table, name);
}

std::optional<scmp_filter_attr> seccomp_flag_attribute(std::string_view name) {
    return look_up(flag_table, name);
}

std::vector<std::string> known_seccomp_actions() {
    auto out = names_of(plain_action_table);
    out.emplace_back("SCMP_ACT_ERRNO");
    out.emplace_back("SCMP_ACT_TRACE");
    std::ranges::sort(out);
    return out;
}

std::vector<std::string> known_seccomp_architectures() {
    std::vector<std::string> out;
    for (auto& [name, token] : architecture_table)
        if (token != 0) out.emplace_back(name);
    return out;
}

std::vector<std::string> known_seccomp_operators() {
    return names_of(operator_table);
}

std::vector<std::string> known_seccomp_flags() {
    return names_of(flag_table);
}

Result<void> validate_seccomp(const oci::Seccomp& s) {
    BERTH_TRYV(check_action("linux.seccomp.defaultAction", s.default_action));
    // A notify default would route every syscall, including the runtime's own
    // remaining setup calls, to an agent that doesn't have the fd yet.
    if (s.default_action == "SCMP_ACT_NOTIFY")
        return fail("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY can't be the default action");
    for (size_t i = 0; i < s.architectures.size(); ++i)
        if (!is_spec_seccomp_architecture(s.architectures[i]))
            return fail(cat("linux.seccomp.architectures[", i, "]: unknown architecture ",
                            quoted(s.architectures[i])));
    for (size_t i = 0; i < s.flags.size(); ++i) {
        const auto& flag = s.flags[i];
        if (seccomp_flag_attribute(flag)) continue;
        if (flag == wait_killable_flag)
            return fail(cat("linux.seccomp.flags[", i, "]: ", flag,
                            " is not supported by libseccomp ", SCMP_VER_MAJOR, ".", SCMP_VER_MINOR,
                            ".", SCMP_VER_MICRO));
        return fail(cat("linux.seccomp.flags[", i, "]: unknown flag ", quoted(flag)));
    }
    bool uses_notify = false;
    for (size_t i = 0; i < s.syscalls.size(); ++i) {
        BERTH_TRYV(check_syscall(cat("linux.seccomp.syscalls[", i, "]"), s.syscalls[i]));
        uses_notify |= s.syscalls[i].action == "SCMP_ACT_NOTIFY";
    }
    if (uses_notify && s.listener_path.empty())
        return fail("linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
    return {};
}

}  // namespace berth::runtime
