#include "runtime/hooks.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "base/file.hpp"

namespace berth::runtime {
namespace {

class HooksTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-hooks-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Writes an executable /bin/sh script into the temp dir.
    std::string script(const std::string& name, const std::string& body) {
        std::string path = dir_ + "/" + name;
        EXPECT_TRUE(write_file_atomic(path, "#!/bin/sh\n" + body, 0755).has_value());
        return path;
    }
    std::string slurp(const std::string& name) {
        auto r = read_file(dir_ + "/" + name);
        return r ? *r : "<missing " + name + ">";
    }

    std::string dir_;
};

TEST_F(HooksTest, PassesStateArgsAndEnv) {
    const std::string state = R"({"ociVersion":"1.2.0","id":"c1","status":"creating","pid":42})";
    oci::Hook h;
    h.path = script("hook",
                    "cat > \"$OUT/state\"\nprintf '%s|' \"$@\" > \"$OUT/args\"\n"
                    "printf '%s' \"${BERTH_HOOK_TEST_LEAK-absent}\" > \"$OUT/leak\"\n");
    h.args = {"hook", "first arg", "second"};
    h.env = {"OUT=" + dir_};
    ::setenv("BERTH_HOOK_TEST_LEAK", "leaked", 1);
    auto r = run_hooks({h}, "prestart", state);
    ::unsetenv("BERTH_HOOK_TEST_LEAK");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(slurp("state"), state);
    EXPECT_EQ(slurp("args"), "first arg|second|");
    EXPECT_EQ(slurp("leak"), "absent") << "the runtime's environment must not reach the hook";
}

TEST_F(HooksTest, FailingHookNamesItselfStatusAndStderr) {
    oci::Hook ok;
    ok.path = script("ok", "exit 0\n");
    oci::Hook bad;
    bad.path = script("bad", "echo 'no network for you' >&2\nexit 3\n");
    oci::Hook never;
    never.path = script("never", "touch \"$0.ran\"\n");
    auto r = run_hooks({ok, bad, never}, "createRuntime", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "createRuntime hook #1 (" + bad.path + "): exited with status 3: no network for you");
    EXPECT_FALSE(path_exists(never.path + ".ran")) << "hooks after a failing one must not run";
}

TEST_F(HooksTest, ErrorUsesStdoutWhenStderrIsEmpty) {
    oci::Hook h;
    h.path = script("chatty", "echo 'said on stdout'\nexit 1\n");
    auto r = run_hooks({h}, "prestart", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "prestart hook #0 (" + h.path + "): exited with status 1: said on stdout");
}

TEST_F(HooksTest, CapturedStderrIsBounded) {
    oci::Hook h;
    // 100 KiB of stderr: more than a pipe holds, so the hook blocks unless we keep reading.
    h.path = script("loud", "head -c 102400 /dev/zero | tr '\\0' x >&2\nexit 2\n");
    auto r = run_hooks({h}, "prestart", "{}");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("exited with status 2: xxxx"), std::string::npos);
    EXPECT_LT(r.error().message.size(), 4096u + 200u) << "stderr not bounded";
}

TEST_F(HooksTest, HookKilledBySignal) {
    oci::Hook h;
    h.path = script("selfkill", "kill -TERM $$\nsleep 5\n");
    auto r = run_hooks({h}, "poststart", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "poststart hook #0 (" + h.path + "): killed by signal SIGTERM");
}

TEST_F(HooksTest, TimeoutKillsHook) {
    oci::Hook h;
    // exec: the sleeping process is the hook itself, so the kill leaves nothing behind.
    h.path = script("slow", "echo started >&2\nexec sleep 30\n");
    h.timeout = 1;
    auto start = std::chrono::steady_clock::now();
    auto r = run_hooks({h}, "prestart", "{}");
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "prestart hook #0 (" + h.path + "): timed out after 1s: started");
    EXPECT_GE(took, std::chrono::milliseconds(900));
    EXPECT_LT(took, std::chrono::milliseconds(2500));
}

TEST_F(HooksTest, MissingBinary) {
    oci::Hook h;
    h.path = dir_ + "/does-not-exist";
    auto r = run_hooks({h}, "poststop", "{}");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "poststop hook #0 (" + h.path + "): exec: No such file or directory");
}

TEST_F(HooksTest, HookIgnoringLargeStdinStillSucceeds) {
    // Far more than a pipe holds: our write hits EPIPE once the hook exits, which
    // must neither kill us (SIGPIPE) nor fail the hook.
    std::string state(4 << 20, 'x');
    oci::Hook h;
    h.path = script("deaf", "sleep 0.2\nexit 0\n");
    auto r = run_hooks({h, h}, "startContainer", state);
    ASSERT_TRUE(r) << r.error().message;
}

TEST_F(HooksTest, EmptyArgsUsesPathAsArgv0) {
    oci::Hook h;
    h.path = script("noargs", "printf '%s' \"$#\" > \"$0.argc\"\n");
    ASSERT_TRUE(run_hooks({h}, "prestart", "{}"));
    EXPECT_EQ(slurp("noargs.argc"), "0");
}

}  // namespace
}  // namespace berth::runtime
