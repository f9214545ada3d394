#include "registry/repository.hpp"

#include <gtest/gtest.h>

namespace berth::registry {
namespace {

TEST(RegistryBaseTest, DockerHubIsServedByItsApiHost) {
    auto u = registry_base("docker.io");
    EXPECT_EQ(u.origin(), "https://registry-1.docker.io");
}

TEST(RegistryBaseTest, LoopbackRegistriesArePlainHttp) {
    EXPECT_EQ(registry_base("localhost:5000").origin(), "http://localhost:5000");
    EXPECT_EQ(registry_base("127.0.0.1:40123").origin(), "http://127.0.0.1:40123");
    EXPECT_EQ(registry_base("[::1]:5000").origin(), "http://[::1]:5000");
}

TEST(RegistryBaseTest, OtherRegistriesAreHttpsUnlessListedInsecure) {
    EXPECT_EQ(registry_base("ghcr.io").origin(), "https://ghcr.io");
    EXPECT_EQ(registry_base("reg.lan:5000").origin(), "https://reg.lan:5000");
    EXPECT_EQ(registry_base("reg.lan:5000", {"reg.lan:5000"}).origin(), "http://reg.lan:5000");
}

}  // namespace
}  // namespace berth::registry
