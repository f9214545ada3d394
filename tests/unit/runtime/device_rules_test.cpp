#include "runtime/device_rules.hpp"

#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

// Evaluates a rule list the way the device cgroup does (later rules override
// earlier ones): may `perm` ('r', 'w' or 'm') be done on device type:major:minor?
bool allows(const std::vector<oci::DeviceRule>& rules, char type, int64_t major, int64_t minor,
            char perm) {
    bool allowed = false;
    for (auto& r : rules) {
        std::string t = r.type.empty() ? "a" : r.type;
        std::string access = r.access.empty() ? "rwm" : r.access;
        if (t != "a" && t[0] != type) continue;
        if (r.major && *r.major != major) continue;
        if (r.minor && *r.minor != minor) continue;
        if (access.find(perm) == std::string::npos) continue;
        allowed = r.allow;
    }
    return allowed;
}

oci::DeviceRule rule(bool allow, std::string type, std::optional<int64_t> major,
                     std::optional<int64_t> minor, std::string access) {
    oci::DeviceRule r;
    r.allow = allow;
    r.type = std::move(type);
    r.major = major;
    r.minor = minor;
    r.access = std::move(access);
    return r;
}

oci::Linux deny_all_config() {
    oci::Linux l;
    l.resources = oci::Resources{};
    l.resources->devices.push_back(rule(false, "", std::nullopt, std::nullopt, "rwm"));
    return l;
}

TEST(DeviceRules, DenyAllStillLeavesTheStandardDevicesUsable) {
    auto rules = effective_resources(deny_all_config()).devices;
    struct Dev {
        const char* name;
        int64_t major, minor;
    };
    for (auto d : {Dev{"null", 1, 3}, Dev{"zero", 1, 5}, Dev{"full", 1, 7}, Dev{"random", 1, 8},
                   Dev{"urandom", 1, 9}, Dev{"tty", 5, 0}, Dev{"console", 5, 1}, Dev{"ptmx", 5, 2},
                   Dev{"pts/3", 136, 3}, Dev{"net/tun", 10, 200}})
        for (char perm : {'r', 'w', 'm'})
            EXPECT_TRUE(allows(rules, 'c', d.major, d.minor, perm))
                << "/dev/" << d.name << " " << perm;
}

TEST(DeviceRules, DenyAllStillDeniesEverythingElse) {
    auto rules = effective_resources(deny_all_config()).devices;
    EXPECT_FALSE(allows(rules, 'c', 1, 1, 'r')) << "/dev/mem";
    EXPECT_FALSE(allows(rules, 'c', 1, 1, 'w')) << "/dev/mem";
    EXPECT_FALSE(allows(rules, 'b', 8, 0, 'r')) << "/dev/sda";
    EXPECT_FALSE(allows(rules, 'c', 10, 229, 'r')) << "/dev/fuse";
    EXPECT_FALSE(allows(rules, 'c', 4, 0, 'w')) << "/dev/tty0";
    // ...but any node may be made (runc does the same; using it is what is guarded).
    EXPECT_TRUE(allows(rules, 'b', 8, 0, 'm'));
    EXPECT_TRUE(allows(rules, 'c', 1, 1, 'm'));
}

TEST(DeviceRules, ConfigRulesComeFirstUnchangedAndDefaultsAfter) {
    auto l = deny_all_config();
    l.resources->devices.push_back(rule(true, "c", 10, 229, "rw"));
    auto rules = effective_resources(l).devices;
    ASSERT_GT(rules.size(), 2u);
    EXPECT_EQ(rules[0], l.resources->devices[0]);
    EXPECT_EQ(rules[1], l.resources->devices[1]);
    EXPECT_TRUE(allows(rules, 'c', 10, 229, 'r')) << "the config's own allow rule is kept";
    EXPECT_TRUE(allows(rules, 'c', 10, 229, 'w'));
}

TEST(DeviceRules, OtherResourcesPassThrough) {
    auto l = deny_all_config();
    l.resources->memory = oci::MemoryResources{};
    l.resources->memory->limit = 64 << 20;
    l.resources->pids = oci::PidsResources{42};
    auto r = effective_resources(l);
    ASSERT_TRUE(r.memory && r.memory->limit);
    EXPECT_EQ(*r.memory->limit, 64 << 20);
    ASSERT_TRUE(r.pids);
    EXPECT_EQ(r.pids->limit, 42);
}

TEST(DeviceRules, NoResourcesGivesJustTheDefaults) {
    oci::Linux l;
    auto r = effective_resources(l);
    EXPECT_FALSE(r.memory);
    ASSERT_FALSE(r.devices.empty());
    for (auto& d : r.devices) EXPECT_TRUE(d.allow) << "a default rule denies something";
    EXPECT_TRUE(allows(r.devices, 'c', 1, 3, 'w'));
    EXPECT_FALSE(allows(r.devices, 'c', 1, 1, 'r')) << "the defaults must not allow /dev/mem";
}

}  // namespace
}  // namespace berth::runtime
