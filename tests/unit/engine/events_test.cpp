#include "engine/events.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace berth::engine {
namespace {

Event image_event(std::string action, std::string name) {
    Event e;
    e.type = "image";
    e.action = std::move(action);
    e.actor_id = "sha256:aa";
    e.attributes["name"] = std::move(name);
    return e;
}

TEST(Events, JsonHasTheApiShape) {
    auto e = image_event("tag", "busybox:1");
    e.time_nano = 1'700'000'000'123'456'789;
    auto j = e.to_json();
    EXPECT_EQ(j["Type"], "image");
    EXPECT_EQ(j["Action"], "tag");
    EXPECT_EQ(j["Actor"]["Attributes"]["name"], "busybox:1");
    EXPECT_EQ(j["time"], 1'700'000'000);
    EXPECT_EQ(j["status"], "tag");
}

TEST(Events, DaemonWideEventHasNoDeprecatedObjectFields) {
    Event e;
    e.type = "image";
    e.action = "prune";
    e.attributes["reclaimed"] = "42";
    auto j = e.to_json();
    EXPECT_EQ(j["Actor"]["ID"], "");
    EXPECT_EQ(j["Actor"]["Attributes"]["reclaimed"], "42");
    EXPECT_FALSE(j.contains("status")) << "dockerd sends status/id only for events about one object";
    EXPECT_FALSE(j.contains("id"));
}

TEST(Events, FiltersByTypeEventAndImage) {
    auto e = image_event("untag", "busybox:1");
    EXPECT_TRUE(event_matches(e, {{"type", {"image"}}}));
    EXPECT_FALSE(event_matches(e, {{"type", {"container"}}}));
    EXPECT_TRUE(event_matches(e, {{"event", {"tag", "untag"}}}));
    EXPECT_FALSE(event_matches(e, {{"event", {"delete"}}}));
    EXPECT_TRUE(event_matches(e, {{"image", {"busybox:1"}}}));
    EXPECT_TRUE(event_matches(e, {{"image", {"sha256:aa"}}}));
    EXPECT_FALSE(event_matches(e, {{"image", {"alpine"}}}));
}

TEST(Events, WaiterWakesOnPublish) {
    EventBus bus;
    auto start = bus.last_seq();
    std::thread t([&] { bus.publish(image_event("load", "x")); });
    auto got = bus.wait_after(start, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    t.join();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].action, "load");
}

TEST(Events, RingKeepsOnlyTheNewest) {
    EventBus bus(2);
    for (int i = 0; i < 5; ++i) bus.publish(image_event("tag", std::to_string(i)));
    auto r = bus.recent();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1].attributes["name"], "4");
}

}  // namespace
}  // namespace berth::engine
