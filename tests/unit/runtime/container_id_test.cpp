#include "runtime/container_id.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::runtime {
namespace {

TEST(ContainerId, AcceptsRuncsAlphabet) {
    const std::vector<std::string> ids = {"a",    "web-1", "A_b.c+d-e",           "0",
                                          "...x", "x..",   std::string(1024, 'z')};
    for (const auto& id : ids) {
        auto r = validate_container_id(id);
        EXPECT_TRUE(r) << id.substr(0, 40) << ": " << r.error().message;
    }
}

TEST(ContainerId, RefusesEmpty) {
    auto r = validate_container_id("");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("empty"), std::string::npos) << r.error().message;
}

TEST(ContainerId, RefusesDotAndDotDotNamingThem) {
    for (std::string id : {".", ".."}) {
        auto r = validate_container_id(id);
        ASSERT_FALSE(r) << id;
        EXPECT_NE(r.error().message.find("\"" + id + "\""), std::string::npos) << r.error().message;
    }
}

TEST(ContainerId, RefusesPathSeparatorsAndOtherCharacters) {
    const std::vector<std::string> ids = {
        "a/b",         "../x",       "/abs",  "a b", "tab\tid", "new\nline",
        "caf\xc3\xa9", "semi;colon", "star*", "x:y", "a@b",     std::string("a\0b", 3)};
    for (const auto& id : ids) {
        auto r = validate_container_id(id);
        ASSERT_FALSE(r) << "accepted " << id;
        EXPECT_NE(r.error().message.find("\"" + id + "\""), std::string::npos)
            << "the message does not name the id: " << r.error().message;
    }
}

TEST(ContainerId, RefusesLongerThan1024) {
    std::string id(1025, 'a');
    auto r = validate_container_id(id);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("1024"), std::string::npos) << r.error().message.substr(0, 80);
    EXPECT_NE(r.error().message.find(id), std::string::npos) << "the message does not name the id";
}

}  // namespace
}  // namespace berth::runtime
