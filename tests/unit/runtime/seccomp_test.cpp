#include <gtest/gtest.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/json.hpp"
#include "base/unique_fd.hpp"
#include "forked_child.hpp"
#include "runtime/process_security.hpp"
#include "runtime/seccomp_filter.hpp"
#include "test_support.hpp"

namespace berth::runtime {
namespace {

oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
    return {std::move(names), std::move(action), errno_ret, std::move(args)};
}

oci::SeccompArg arg(unsigned index, std::string op, uint64_t value, uint64_t value_two = 0) {
    return {index, value, value_two, std::move(op)};
}

// Builds and loads `s` with no_new_privs set (as the late load in
// apply_process_security does), then runs `probe`.
std::map<std::string, std::string> load_and_probe(const oci::Seccomp& s,
                                                  const std::function<std::string()>& probe) {
    return test::run_in_child([&]() -> std::string {
        auto filter = build_seccomp_filter(s);
        if (!filter) return "error=" + filter.error().message + "\n";
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "error=nnp\n";
        auto fd = load_seccomp_filter(*filter);
        if (!fd) return "error=" + fd.error().message + "\n";
        return probe();
    });
}

// "rc errno" of a raw syscall result.
std::string outcome(long rc) {
    return rc < 0 ? "errno " + std::to_string(errno) : "ok";
}

TEST(Seccomp, ErrnoRetAndArgumentFilters) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = {
        rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38),
        // personality(0xffffffff) only queries; every other persona is refused.
        rule({"personality"}, "SCMP_ACT_ERRNO", std::nullopt, {arg(0, "SCMP_CMP_NE", 0xffffffff)}),
        // umask with all of 077 set is refused: mask=077 (value), datum=077 (valueTwo).
        rule({"umask"}, "SCMP_ACT_ERRNO", 13, {arg(0, "SCMP_CMP_MASKED_EQ", 077, 077)}),
    };
    auto r = load_and_probe(s, [] {
        std::string out;
        out += "mkdir=" + outcome(::mkdir("/nonexistent-berth-dir/x", 0755)) + "\n";
        out += "persona_query=" + outcome(::syscall(SYS_personality, 0xffffffffUL)) + "\n";
        out += "persona_set=" + outcome(::syscall(SYS_personality, 0UL)) + "\n";
        out += "umask_077=" + outcome(::syscall(SYS_umask, 0777)) + "\n";
        out += "umask_022=" + outcome(::syscall(SYS_umask, 022)) + "\n";
        return out;
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    ASSERT_EQ(r["status"], "ok");
    EXPECT_EQ(r["mkdir"], "errno 38");
    EXPECT_EQ(r["persona_query"], "ok");
    EXPECT_EQ(r["persona_set"], "errno 1");  // errnoRet unset: EPERM
    EXPECT_EQ(r["umask_077"], "errno 13");
    EXPECT_EQ(r["umask_022"], "ok");
}

TEST(Seccomp, SameArgumentIndexTwiceBecomesSeparateRules) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = {rule({"getpriority"}, "SCMP_ACT_ERRNO", 77,
                       {arg(0, "SCMP_CMP_EQ", PRIO_PGRP), arg(0, "SCMP_CMP_EQ", PRIO_USER)})};
    auto r = load_and_probe(s, [] {
        std::string out;
        out += "pgrp=" + outcome(::syscall(SYS_getpriority, PRIO_PGRP, 0)) + "\n";
        out += "user=" + outcome(::syscall(SYS_getpriority, PRIO_USER, 0)) + "\n";
        out += "process=" + outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 0)) + "\n";
        return out;
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r["pgrp"], "errno 77");
    EXPECT_EQ(r["user"], "errno 77");
    EXPECT_EQ(r["process"], "ok");
}

TEST(Seccomp, DefaultErrnoWithAllowList) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ERRNO";
    s.default_errno_ret = 95;
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    // What the child needs to report and exit, plus getpid as the probe. Names
    // from other architectures and unknown ones must be skipped, not fatal.
    s.syscalls = {rule({"write", "exit_group", "exit", "brk", "mmap", "munmap", "mremap",
                        "rt_sigreturn", "futex", "getpid", "socketcall", "no_such_syscall"},
                       "SCMP_ACT_ALLOW")};
    auto r = load_and_probe(s, [] {
        std::string out;
        out += "getpid=" + outcome(::syscall(SYS_getpid)) + "\n";
        out += "getppid=" + outcome(::syscall(SYS_getppid)) + "\n";
        return out;
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    ASSERT_EQ(r["status"], "ok");
    EXPECT_EQ(r["getpid"], "ok");
    EXPECT_EQ(r["getppid"], "errno 95");
}

TEST(Seccomp, TsyncAppliesToOtherThreads) {
    for (bool tsync : {true, false}) {
        oci::Seccomp s;
        s.default_action = "SCMP_ACT_ALLOW";
        if (tsync) s.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
        s.syscalls = {rule({"getppid"}, "SCMP_ACT_ERRNO", 38)};
        auto r = test::run_in_child([&]() -> std::string {
            auto filter = build_seccomp_filter(s);
            if (!filter) return "error=" + filter.error().message + "\n";
            std::atomic<int> stage{0};
            std::string thread_result;
            // The thread exists before the filter is loaded; only TSYNC reaches it.
            std::thread t([&] {
                while (stage.load() == 0) std::this_thread::yield();
                thread_result = outcome(::syscall(SYS_getppid));
            });
            if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "error=nnp\n";
            auto fd = load_seccomp_filter(*filter);
            stage = 1;
            t.join();
            if (!fd) return "error=" + fd.error().message + "\n";
            return "thread=" + thread_result + "\nmain=" + outcome(::syscall(SYS_getppid)) + "\n";
        });
        ASSERT_EQ(r.count("error"), 0u) << r["error"];
        EXPECT_EQ(r["main"], "errno 38");
        EXPECT_EQ(r["thread"], tsync ? "errno 38" : "ok") << "tsync=" << tsync;
    }
}

TEST(Seccomp, LogFlagAndKillProcessBuild) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
    s.syscalls = {rule({"getppid"}, "SCMP_ACT_KILL_PROCESS"), rule({"getpid"}, "SCMP_ACT_LOG")};
    auto r = load_and_probe(s, [] {
        ::syscall(SYS_getpid);
        ::syscall(SYS_getppid);  // kills the child
        return std::string("survived=1\n");
    });
    ASSERT_EQ(r.count("error"), 0u) << r["error"];
    EXPECT_EQ(r.count("survived"), 0u);
    ASSERT_NE(r["status"], "ok");
    const int status = std::stoi(r["status"]);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) << "wait status " << status;
}

TEST(Seccomp, RuleWithDefaultActionIsDropped) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.syscalls = {rule({"getpid"}, "SCMP_ACT_ALLOW")};
    EXPECT_TRUE(build_seccomp_filter(s));
}

// A listening socket in a temporary directory; removed on scope exit.
struct Listener {
    std::filesystem::path dir, path;
    UniqueFd fd;
    Listener() {
        char tmpl[] = "/tmp/berth-seccomp-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir / "listener.sock";
        fd = test::listen_unix(path);
    }
    ~Listener() {
        fd.reset();
        std::filesystem::remove_all(dir);
    }
};

bool readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

TEST(Seccomp, NotifyListenerGetsFdAndAnswersTheSyscall) {
    Listener listener;
    ASSERT_TRUE(listener.fd) << "listen on " << listener.path;
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.listener_path = listener.path;
    s.syscalls = {rule({"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY")};
    const std::string state = R"({"ociVersion":"1.2.0","fds":["seccompFd"],"pid":1})";

    test::ForkedChild child([&]() -> std::string {
        auto filter = build_seccomp_filter(s);
        if (!filter) return "error=" + filter.error().message + "\n";
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return "error=nnp\n";
        auto fd = load_seccomp_filter(*filter);
        if (!fd) return "error=" + fd.error().message + "\n";
        if (*fd < 0) return "error=no notify fd\n";
        auto agent = connect_seccomp_agent(s.listener_path);
        if (!agent) return "error=" + agent.error().message + "\n";
        if (auto sent = send_seccomp_listener(agent->get(), *fd, state); !sent)
            return "error=" + sent.error().message + "\n";
        ::close(*fd);
        // Blocks until the test answers the notification.
        return "mkdir=" + outcome(::mkdir("/nonexistent-berth-dir/x", 0755)) + "\n";
    });

    ASSERT_TRUE(readable(listener.fd.get(), 5000)) << "the child never connected";
    UniqueFd conn(::accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(conn);
    ASSERT_TRUE(readable(conn.get(), 5000));
    std::string data;
    UniqueFd notify = test::receive_fd(conn.get(), data);
    ASSERT_TRUE(notify) << "no fd came with the message";
    EXPECT_EQ(data, state);

    ASSERT_TRUE(readable(notify.get(), 5000)) << "no notification arrived";
    seccomp_notif* req = nullptr;
    seccomp_notif_resp* resp = nullptr;
    ASSERT_EQ(seccomp_notify_alloc(&req, &resp), 0);
    ASSERT_EQ(seccomp_notify_receive(notify.get(), req), 0);
    EXPECT_EQ(static_cast<pid_t>(req->pid), child.pid());
    EXPECT_EQ(req->data.nr, seccomp_syscall_resolve_name("mkdir"));
    resp->id = req->id;
    resp->error = -EXDEV;
    resp->val = 0;
    resp->flags = 0;
    EXPECT_EQ(seccomp_notify_respond(notify.get(), resp), 0);
    seccomp_notify_free(req, resp);

    auto out = child.finish();
    EXPECT_TRUE(child.exited_cleanly()) << child.status();
    EXPECT_EQ(out, "mkdir=errno " + std::to_string(EXDEV) + "\n");
}

TEST(Seccomp, ProcessStateCarriesTheHostPid) {
    auto j = Json::parse(seccomp_process_state(4242, "meta", R"({"id":"c1","pid":4242})"));
    EXPECT_EQ(j["pid"], 4242);
    EXPECT_EQ(j["fds"], Json::array({"seccompFd"}));
    EXPECT_EQ(j["metadata"], "meta");
    EXPECT_EQ(j["state"]["id"], "c1");
}

TEST(Seccomp, SendListenerReportsConnectFailure) {
    auto r = connect_seccomp_agent("/nonexistent-berth/listener.sock");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("/nonexistent-berth/listener.sock"), std::string::npos);
    EXPECT_EQ(r.error().sys_errno, ENOENT);
}

// --- validation ---

oci::Seccomp valid_profile() {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ERRNO";
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_LOONGARCH64"};
    s.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
    s.syscalls = {rule({"read"}, "SCMP_ACT_ALLOW"), rule({"personality"}, "SCMP_ACT_ALLOW",
                                                         std::nullopt, {arg(0, "SCMP_CMP_EQ", 0)})};
    return s;
}

std::string error_of(const oci::Seccomp& s) {
    auto r = validate_seccomp(s);
    return r ? "valid" : r.error().message;
}

TEST(SeccompValidation, AcceptsAValidProfile) {
    EXPECT_EQ(error_of(valid_profile()), "valid");
}

TEST(SeccompValidation, NamesTheBadField) {
    auto s = valid_profile();
    s.default_action = "SCMP_ACT_FOO";
    EXPECT_EQ(error_of(s), "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");

    s = valid_profile();
    s.default_action = "SCMP_ACT_NOTIFY";
    s.listener_path = "/run/x.sock";
    EXPECT_EQ(error_of(s),
              "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY can't be the default action");

    s = valid_profile();
    s.architectures.push_back("SCMP_ARCH_Z80");
    EXPECT_EQ(error_of(s),
              "linux.seccomp.architectures[2]: unknown architecture \"SCMP_ARCH_Z80\"");

    s = valid_profile();
    s.flags.push_back("SECCOMP_FILTER_FLAG_FOO");
    EXPECT_EQ(error_of(s), "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");

    s = valid_profile();
    s.syscalls[1].action = "SCMP_ACT_MAYBE";
    EXPECT_EQ(error_of(s), "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_MAYBE\"");

    s = valid_profile();
    s.syscalls[1].args[0].op = "SCMP_CMP_FOO";
    EXPECT_EQ(error_of(s),
              "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_FOO\"");

    s = valid_profile();
    s.syscalls[1].args.push_back(arg(6, "SCMP_CMP_EQ", 1));
    EXPECT_EQ(error_of(s), "linux.seccomp.syscalls[1].args[1].index: 6 is out of range (0 to 5)");

    s = valid_profile();
    s.syscalls[0].names.clear();
    EXPECT_EQ(error_of(s), "linux.seccomp.syscalls[0].names: must not be empty");

    s = valid_profile();
    s.syscalls[0].action = "SCMP_ACT_NOTIFY";
    EXPECT_EQ(error_of(s), "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
    s.listener_path = "/run/agent.sock";
    EXPECT_EQ(error_of(s), "valid");
}

TEST(SeccompValidation, WaitKillableRecvIsNamedWhenUnsupported) {
    auto s = valid_profile();
    s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    auto flags = known_seccomp_flags();
    const bool supported = std::ranges::find(flags, s.flags[0]) != flags.end();
    if (supported)
        EXPECT_EQ(error_of(s), "valid");
    else
        EXPECT_EQ(
            error_of(s).rfind("linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
                              "is not supported by libseccomp",
                              0),
            0u)
            << error_of(s);
}

TEST(SeccompValidation, KnownNameLists) {
    auto actions = known_seccomp_actions();
    EXPECT_EQ(actions.size(), 9u);
    EXPECT_NE(std::ranges::find(actions, "SCMP_ACT_KILL_PROCESS"), actions.end());
    EXPECT_NE(std::ranges::find(actions, "SCMP_ACT_ERRNO"), actions.end());
    auto arches = known_seccomp_architectures();
    EXPECT_NE(std::ranges::find(arches, "SCMP_ARCH_X86_64"), arches.end());
    EXPECT_NE(std::ranges::find(arches, "SCMP_ARCH_AARCH64"), arches.end());
    EXPECT_EQ(known_seccomp_operators().size(), 7u);
    auto flags = known_seccomp_flags();
    EXPECT_NE(std::ranges::find(flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"), flags.end());
}

}  // namespace
}  // namespace berth::runtime
