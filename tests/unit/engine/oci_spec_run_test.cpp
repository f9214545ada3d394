// The spec build_oci_spec makes, run for real by the berth-runtime (and with the
// berth-init) built beside this test binary, on a busybox rootfs made by the
// integration tests' bundle script: Docker's defaults must be something a runtime accepts.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/container_settings.hpp"
#include "engine/oci_spec_builder.hpp"
#include "oci/config_parse.hpp"
#include "test_support.hpp"

namespace berth::engine {
namespace {

namespace fs = std::filesystem;

std::string build_dir() {
    return fs::read_symlink("/proc/self/exe").parent_path();
}

class SpecRunTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(::geteuid(), 0u) << "running containers needs root";
        char tmpl[] = "/tmp/berth-specrun-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir = tmpl;
        // The integration tests' bundle script: copies the cached busybox rootfs
        // (building the cache first if this host has none) into dir/rootfs.
        std::string script =
            fs::path(build_dir()).parent_path() / "scripts" / "make-busybox-bundle.sh";
        ASSERT_EQ(std::system(("sh '" + script + "' " + dir + " --rootfs-only >/dev/null").c_str()),
                  0)
            << script << " failed";
        ASSERT_TRUE(fs::exists(dir + "/rootfs/bin/busybox"));
        id = "specrun" + std::to_string(::getpid());
    }
    void TearDown() override {
        // `run` deletes the container when its process exits; this catches a failed run.
        std::system(("'" + runtime() + "' --root " + dir + "/state delete --force " + id +
                     " >/dev/null 2>&1")
                        .c_str());
        ::rmdir(("/sys/fs/cgroup/" + cgroup_parent).c_str());
        fs::remove_all(dir);
    }
    std::string runtime() const { return build_dir() + "/berth-runtime"; }

    // Runs the container to completion; returns its exit status and stdout.
    int run(const oci::Config& spec, std::string& out) {
        std::ofstream(dir + "/config.json") << oci::to_json(spec).dump();
        std::string cmd = "'" + runtime() + "' --root " + dir + "/state run --bundle " + dir + " " +
                          id + " > " + dir + "/out 2>&1 </dev/null";
        int status = std::system(cmd.c_str());
        out = test::read_text(dir + "/out");
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    std::string dir, id, cgroup_parent = "berth-specrun-" + std::to_string(::getpid());
};

TEST_F(SpecRunTest, DockerDefaultsRunWithInitUserAndSeccomp) {
    auto s = parse_create_request(Json::parse(R"({
        "Image": "busybox", "User": "user", "Hostname": "spec-run",
        "Cmd": ["sh", "-c", "id -u; hostname; grep CapBnd /proc/self/status; cat /proc/1/cmdline | tr '\\0' ' '; echo; grep Seccomp: /proc/self/status; exit 5"],
        "HostConfig": {"Init": true, "Tmpfs": {"/scratch": "size=1m"}, "NetworkMode": "none"}
    })"));
    ASSERT_TRUE(s) << s.error().message;
    SpecContext ctx;
    ctx.id = id;
    ctx.rootfs = dir + "/rootfs";
    ctx.init_path = build_dir() + "/berth-init";
    ctx.cgroup_parent = "/" + cgroup_parent;
    auto spec = build_oci_spec(*s, ctx);
    ASSERT_TRUE(spec) << spec.error().message;
    ASSERT_TRUE(oci::validate_config(*spec, true))
        << oci::validate_config(*spec, true).error().message;
    std::string out;
    int code = run(*spec, out);
    EXPECT_EQ(code, 5) << out;
    EXPECT_NE(out.find("1000\n"), std::string::npos) << out;
    EXPECT_NE(out.find("spec-run\n"), std::string::npos) << out;
    // The 14 default capabilities: 0x00000000a80425fb, as docker shows.
    EXPECT_NE(out.find("CapBnd:\t00000000a80425fb"), std::string::npos) << out;
    EXPECT_NE(out.find("/sbin/docker-init -- sh -c"), std::string::npos) << out;
    EXPECT_NE(out.find("Seccomp:\t2"), std::string::npos) << out;
}

}  // namespace
}  // namespace berth::engine
