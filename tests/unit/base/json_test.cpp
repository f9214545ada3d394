#include "base/json.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Json, DumpCompactSortsKeysAndHasNoSpaces) {
    Json j = {{"b", 1}, {"a", {{"d", "x"}, {"c", Json::array({1, 2})}}}};
    EXPECT_EQ(dump_compact(j), R"({"a":{"c":[1,2],"d":"x"},"b":1})");
}

TEST(Json, DumpCompactReplacesInvalidUtf8InsteadOfThrowing) {
    Json j = {{"label", std::string("ok\xff")}};
    EXPECT_EQ(dump_compact(j), "{\"label\":\"ok\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace berth
