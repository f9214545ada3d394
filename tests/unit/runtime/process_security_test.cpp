#include "runtime/process_security.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "forked_child.hpp"
#include "runtime/capabilities.hpp"
#include "runtime/seccomp_filter.hpp"

namespace berth::runtime {
namespace {

constexpr uint64_t bit(int cap) {
    return uint64_t{1} << cap;
}

std::string hex16(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

// A non-root user with a small capability set, as a container typically gets.
oci::Process reduced_process(bool no_new_privileges) {
    oci::Process p;
    p.user.uid = 1000;
    p.user.gid = 1000;
    p.user.additional_gids = {10, 20};
    p.user.umask = 027;
    oci::Capabilities caps;
    caps.bounding = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_KILL"};
    caps.effective = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN"};
    caps.permitted = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN"};
    caps.inheritable = {"CAP_NET_BIND_SERVICE"};
    caps.ambient = {"CAP_NET_BIND_SERVICE"};
    p.capabilities = caps;
    p.no_new_privileges = no_new_privileges;
    return p;
}

oci::Seccomp mkdir_denied() {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38, {}}};
    return s;
}

// What the process is now, as "key=value" lines for the parent to check.
std::string describe_self() {
    std::string out;
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    ::getresuid(&ru, &eu, &su);
    ::getresgid(&rg, &eg, &sg);
    out +=
        "uids=" + std::to_string(ru) + "," + std::to_string(eu) + "," + std::to_string(su) + "\n";
    out +=
        "gids=" + std::to_string(rg) + "," + std::to_string(eg) + "," + std::to_string(sg) + "\n";
    gid_t groups[64];
    int n = ::getgroups(64, groups);
    out += "groups=";
    for (int i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(groups[i]);
    out += "\n";
    mode_t old = ::umask(0);
    ::umask(old);
    out += "umask=" + std::to_string(old) + "\n";
    out += "nnp=" + std::to_string(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)) + "\n";
    out += "keepcaps=" + std::to_string(::prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0)) + "\n";
    if (auto caps = current_capabilities()) {
        out += "capget_eff=" + hex16(caps->effective) + "\n";
        out += "capget_prm=" + hex16(caps->permitted) + "\n";
    }
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto key = line.substr(0, colon);
        if (key.starts_with("Cap") || key == "NoNewPrivs" || key == "Seccomp") {
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            out += "status_" + key + "=" + value + "\n";
        }
    }
    out +=
        "mkdir=" +
        std::string(::mkdir("/nonexistent-berth-dir/x", 0755) == 0 ? "ok" : std::to_string(errno)) +
        "\n";
    return out;
}

std::map<std::string, std::string> apply_in_child(const oci::Process& p, const oci::Seccomp* s) {
    std::optional<SeccompProgram> program;
    if (s) {
        auto compiled = compile_seccomp(*s, "");
        if (!compiled) return {{"error", compiled.error().message}};
        program = std::move(*compiled);
    }
    return test::run_in_child([&]() -> std::string {
        auto fd = apply_process_security(p, program ? &*program : nullptr);
        if (!fd) return "error=" + fd.error().message + "\n";
        return "notify_fd=" + std::to_string(*fd) + "\n" + describe_self();
    });
}

void expect_reduced_identity(std::map<std::string, std::string>& r) {
    EXPECT_EQ(r["uids"], "1000,1000,1000");
    EXPECT_EQ(r["gids"], "1000,1000,1000");
    EXPECT_EQ(r["groups"], "10,20");
    EXPECT_EQ(r["umask"], std::to_string(027));
    EXPECT_EQ(r["keepcaps"], "0");
    const uint64_t bounding = bit(CAP_NET_BIND_SERVICE) | bit(CAP_CHOWN) | bit(CAP_KILL);
    const uint64_t effective = bit(CAP_NET_BIND_SERVICE) | bit(CAP_CHOWN);
    EXPECT_EQ(r["status_CapBnd"], hex16(bounding));
    EXPECT_EQ(r["status_CapEff"], hex16(effective));
    EXPECT_EQ(r["status_CapPrm"], hex16(effective));
    EXPECT_EQ(r["status_CapInh"], hex16(bit(CAP_NET_BIND_SERVICE)));
    EXPECT_EQ(r["status_CapAmb"], hex16(bit(CAP_NET_BIND_SERVICE)));
    EXPECT_EQ(r["capget_eff"], hex16(effective));
    EXPECT_EQ(r["capget_prm"], hex16(effective));
}

TEST(ProcessSecurity, NonRootWithNoNewPrivsLoadsSeccompLast) {
    auto s = mkdir_denied();
    auto r = apply_in_child(reduced_process(true), &s);
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    ASSERT_EQ(r["status"], "ok");
    expect_reduced_identity(r);
    EXPECT_EQ(r["nnp"], "1");
    EXPECT_EQ(r["status_NoNewPrivs"], "1");
    EXPECT_EQ(r["status_Seccomp"], "2");
    EXPECT_EQ(r["mkdir"], "38");
    EXPECT_EQ(r["notify_fd"], "-1");
}

TEST(ProcessSecurity, NonRootWithoutNoNewPrivsLoadsSeccompBeforeDroppingCaps) {
    auto s = mkdir_denied();
    auto r = apply_in_child(reduced_process(false), &s);
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    ASSERT_EQ(r["status"], "ok");
    expect_reduced_identity(r);
    EXPECT_EQ(r["nnp"], "0");
    EXPECT_EQ(r["status_NoNewPrivs"], "0");
    EXPECT_EQ(r["status_Seccomp"], "2");
    EXPECT_EQ(r["mkdir"], "38");
}

// Why the order above matters: once the reduced set is in place and no_new_privs
// is off, the kernel refuses a filter.
TEST(ProcessSecurity, SeccompAfterDroppingCapsWithoutNoNewPrivsIsRefused) {
    auto r = test::run_in_child([]() -> std::string {
        auto applied = apply_process_security(reduced_process(false), nullptr);
        if (!applied) return "error=" + applied.error().message + "\n";
        auto filter = build_seccomp_filter(mkdir_denied());
        if (!filter) return "error=" + filter.error().message + "\n";
        auto fd = load_seccomp_filter(*filter);
        return "load_errno=" + std::to_string(fd ? 0 : fd.error().sys_errno) + "\n";
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["load_errno"], std::to_string(EACCES));
}

TEST(ProcessSecurity, NoCapabilitiesObjectClearsEverything) {
    oci::Process p;  // uid 0, no capabilities
    auto r = apply_in_child(p, nullptr);
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["uids"], "0,0,0");
    EXPECT_EQ(r["groups"], "");
    EXPECT_EQ(r["status_CapBnd"], hex16(0));
    EXPECT_EQ(r["status_CapEff"], hex16(0));
    EXPECT_EQ(r["status_CapPrm"], hex16(0));
    EXPECT_EQ(r["status_Seccomp"], "0");
}

TEST(ProcessSecurity, NotifyReturnsTheListenerFd) {
    auto p = reduced_process(true);
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.listener_path = "/run/unused.sock";
    s.syscalls = {{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}};
    auto program = compile_seccomp(s, "");
    ASSERT_TRUE(program) << program.error().message;
    auto r = test::run_in_child([&]() -> std::string {
        auto fd = apply_process_security(p, &*program);
        if (!fd) return "error=" + fd.error().message + "\n";
        // The fd must not leak into the container's program.
        return "fd_ok=" + std::to_string(*fd >= 0) +
               "\ncloexec=" + std::to_string((::fcntl(*fd, F_GETFD) & FD_CLOEXEC) != 0) + "\n";
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["fd_ok"], "1");
    EXPECT_EQ(r["cloexec"], "1");
}

TEST(ProcessSecurity, ConfigErrorsComeBeforeAnyChange) {
    auto p = reduced_process(true);
    p.capabilities->effective.push_back("CAP_NOT_A_CAP");
    auto r = test::run_in_child([&]() -> std::string {
        auto fd = apply_process_security(p, nullptr);
        return (fd ? std::string("error=none\n") : "error=" + fd.error().message + "\n") +
               "uid=" + std::to_string(::getuid()) + "\n";
    });
    EXPECT_EQ(r["error"], "process.capabilities.effective: unknown capability \"CAP_NOT_A_CAP\"");
    EXPECT_EQ(r["uid"], "0");
}

TEST(ProcessSecurity, OomScoreSchedulerAndIoPriority) {
    oci::Process p;
    p.oom_score_adj = 321;
    p.scheduler.emplace();
    p.scheduler->policy = "SCHED_BATCH";
    p.scheduler->nice = 5;
    p.io_priority = oci::IoPriority{"IOPRIO_CLASS_BE", 6};
    p.rlimits = {{"RLIMIT_NOFILE", 77, 88}};
    auto r = test::run_in_child([&]() -> std::string {
        auto fd = apply_process_security(p, nullptr);
        if (!fd) return "error=" + fd.error().message + "\n";
        std::ifstream oom("/proc/self/oom_score_adj");
        std::string adj;
        oom >> adj;
        rlimit nofile{};
        ::getrlimit(RLIMIT_NOFILE, &nofile);
        const long ioprio = ::syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
        return "oom=" + adj + "\npolicy=" + std::to_string(::sched_getscheduler(0)) +
               "\nnice=" + std::to_string(::getpriority(PRIO_PROCESS, 0)) +
               "\nioprio_class=" + std::to_string(IOPRIO_PRIO_CLASS(ioprio)) +
               "\nioprio_level=" + std::to_string(IOPRIO_PRIO_DATA(ioprio)) +
               "\nnofile=" + std::to_string(nofile.rlim_cur) + "\n";
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["oom"], "321");
    EXPECT_EQ(r["policy"], std::to_string(SCHED_BATCH));
    EXPECT_EQ(r["nice"], "5");
    EXPECT_EQ(r["ioprio_class"], std::to_string(IOPRIO_CLASS_BE));
    EXPECT_EQ(r["ioprio_level"], "6");
    EXPECT_EQ(r["nofile"], "77");
}

TEST(ProcessSecurity, BadSchedulerAndIoPriorityNamesAreErrors) {
    oci::Process p;
    p.scheduler.emplace();
    p.scheduler->policy = "SCHED_FAST";
    auto r = test::run_in_child([&]() -> std::string {
        auto fd = apply_process_security(p, nullptr);
        return fd ? std::string("error=none\n") : "error=" + fd.error().message + "\n";
    });
    EXPECT_EQ(r["error"], "process.scheduler.policy: unknown policy \"SCHED_FAST\"");
}

TEST(ProcessSecurity, PersonalityDomains) {
    auto r = test::run_in_child([]() -> std::string {
        auto set = apply_personality({"LINUX32", {}});
        if (!set) return "error=" + set.error().message + "\n";
        return "persona=" + std::to_string(::personality(0xffffffff)) + "\n";
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["persona"], std::to_string(PER_LINUX32));
    auto bad = apply_personality({"WINDOWS", {}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "linux.personality.domain: unknown domain \"WINDOWS\"");
}

// In a user namespace whose /proc/self/setgroups says "deny", clearing the groups
// is skipped but asking for groups is an error that says why.
TEST(ProcessSecurity, SetgroupsDeniedInUserNamespace) {
    auto run = [](std::vector<uint32_t> gids) {
        return test::run_in_child([gids]() -> std::string {
            if (::unshare(CLONE_NEWUSER) != 0) return "error=unshare\n";
            // A process may map its own ids into its new namespace, once
            // setgroups is denied (user_namespaces(7)).
            auto write = [](const char* path, const char* text) {
                std::ofstream f(path);
                f << text;
                f.flush();
                return bool(f);
            };
            if (!write("/proc/self/setgroups", "deny") || !write("/proc/self/uid_map", "0 0 1") ||
                !write("/proc/self/gid_map", "0 0 1"))
                return "error=write maps\n";
            oci::Process p;
            p.user.additional_gids = gids;
            auto fd = apply_process_security(p, nullptr);
            return fd ? std::string("result=ok\n") : "result=" + fd.error().message + "\n";
        });
    };
    auto none = run({});
    ASSERT_EQ(none.count("error"), 0u) << none["error"];
    EXPECT_EQ(none["result"], "ok");
    auto some = run({0});
    EXPECT_NE(some["result"].find("setgroups(0) (/proc/self/setgroups is \"deny\""),
              std::string::npos)
        << some["result"];
}

}  // namespace
}  // namespace berth::runtime
