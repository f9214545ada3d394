#include "runtime/capabilities.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include "forked_child.hpp"
#include "runtime/process_security.hpp"

namespace berth::runtime {
namespace {

TEST(Capabilities, NamesAndNumbersRoundTrip) {
    auto names = known_capabilities();
    ASSERT_EQ(names.size(), static_cast<size_t>(CAP_CHECKPOINT_RESTORE + 1));
    for (int n = 0; n <= CAP_CHECKPOINT_RESTORE; ++n) {
        auto name = capability_name(n);
        ASSERT_FALSE(name.empty()) << n;
        EXPECT_EQ(capability_number(name), n) << name;
        EXPECT_EQ(names[static_cast<size_t>(n)], name);
    }
    EXPECT_EQ(capability_number("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
    EXPECT_EQ(capability_number("CAP_NET_RAW"), CAP_NET_RAW);
    EXPECT_EQ(capability_number("CAP_CHECKPOINT_RESTORE"), 40);
    EXPECT_TRUE(capability_name(41).empty());
}

TEST(Capabilities, UnknownNamesAreRejected) {
    EXPECT_TRUE(is_known_capability("CAP_BPF"));
    EXPECT_FALSE(is_known_capability("CAP_FOO"));
    EXPECT_FALSE(is_known_capability("sys_admin"));
    EXPECT_FALSE(is_known_capability("CAP_sys_admin"));

    oci::Capabilities caps;
    caps.effective = {"CAP_CHOWN", "CAP_FOO"};
    auto sets = capability_sets(caps);
    ASSERT_FALSE(sets);
    EXPECT_EQ(sets.error().message,
              "process.capabilities.effective: unknown capability \"CAP_FOO\"");
}

TEST(Capabilities, SetsBecomeMasks) {
    oci::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"};
    caps.ambient = {"CAP_KILL"};
    auto sets = capability_sets(caps);
    ASSERT_TRUE(sets) << sets.error().message;
    EXPECT_EQ(sets->bounding, (1ull << CAP_CHOWN) | (1ull << CAP_KILL) | (1ull << CAP_SYS_ADMIN));
    EXPECT_EQ(sets->ambient, 1ull << CAP_KILL);
    EXPECT_EQ(sets->effective, 0u);
}

TEST(Capabilities, KernelLastCapMatchesProc) {
    // PR_CAPBSET_READ answers EINVAL exactly past the kernel's last capability.
    const int last = kernel_last_capability();
    EXPECT_GE(::prctl(PR_CAPBSET_READ, last, 0, 0, 0), 0);
    EXPECT_LT(::prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0), 0);
}

TEST(Capabilities, BoundingDropAndCapsetInChild) {
    auto report = test::run_in_child([] {
        std::string out;
        if (auto r = drop_bounding_set(1ull << CAP_KILL); !r) return "error=" + r.error().message;
        CapabilitySets want;
        want.permitted = want.effective = (1ull << CAP_KILL) | (1ull << CAP_CHOWN);
        want.inheritable = 1ull << CAP_KILL;
        if (auto r = set_capabilities(want); !r) return "error=" + r.error().message;
        if (auto r = set_ambient(1ull << CAP_KILL); !r) return "error=" + r.error().message;
        auto now = current_capabilities();
        if (!now) return "error=" + now.error().message;
        out += "eff=" + std::to_string(now->effective) + "\n";
        out += "inh=" + std::to_string(now->inheritable) + "\n";
        out += "bnd_kill=" + std::to_string(::prctl(PR_CAPBSET_READ, CAP_KILL, 0, 0, 0)) + "\n";
        out += "bnd_chown=" + std::to_string(::prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0)) + "\n";
        out += "amb_kill=" +
               std::to_string(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0)) +
               "\n";
        // Ambient needs the capability inheritable: CAP_CHOWN is not, so it is
        // skipped with a warning (as runc does) and the set keeps only CAP_KILL.
        auto skipped = set_ambient((1ull << CAP_CHOWN) | (1ull << CAP_KILL));
        out +=
            "amb_chown_error=" + (skipped ? std::string("none") : skipped.error().message) + "\n";
        out += "amb_chown=" +
               std::to_string(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0)) +
               "\n";
        out += "amb_kill_after=" +
               std::to_string(::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0)) +
               "\n";
        return out;
    });
    ASSERT_EQ(report["status"], "ok");
    ASSERT_EQ(report.count("error"), 0u) << report["error"];
    EXPECT_EQ(report["eff"], std::to_string((1ull << CAP_KILL) | (1ull << CAP_CHOWN)));
    EXPECT_EQ(report["inh"], std::to_string(1ull << CAP_KILL));
    EXPECT_EQ(report["bnd_kill"], "1");
    EXPECT_EQ(report["bnd_chown"], "0");
    EXPECT_EQ(report["amb_kill"], "1");
    EXPECT_EQ(report["amb_chown_error"], "none");
    EXPECT_EQ(report["amb_chown"], "0");
    EXPECT_EQ(report["amb_kill_after"], "1");
}

}  // namespace
}  // namespace berth::runtime
