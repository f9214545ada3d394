#include "image/manifest.hpp"

#include <gtest/gtest.h>

#include "image/media_types.hpp"

namespace berth::image {
namespace {

const std::string kD1 = "sha256:4fbec69b941195fd56f8212a5000e304129451d82efca94ff0e0fb2d5355472e";
const std::string kD2 = "sha256:77ea7eee3d80b1a38f83906dd3048e2689457eb90e18a7d12f839c5ae37106a2";

const std::string kDockerManifest = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1457,
      "digest": ")" + kD1 + R"("
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2220094,
         "digest": ")" + kD2 + R"("
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 10,
         "digest": ")" + kD1 + R"(",
         "urls": ["https://example.com/layer"]
      }
   ]
})";

// An OCI manifest without the (optional) mediaType field.
const std::string kOciManifestNoType =
    R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json",)"
    R"("digest":")" +
    kD1 +
    R"(","size":7},"layers":[{"mediaType":)"
    R"("application/vnd.oci.image.layer.v1.tar+zstd","digest":")" +
    kD2 +
    R"(","size":9,"annotations":{"a":"b"}}],"annotations":{"org.opencontainers.image.ref.name":"1"}})";

std::string index_json(const std::string& entries, const std::string& type = "") {
    std::string t = type.empty() ? "" : R"("mediaType":")" + type + R"(",)";
    return R"({"schemaVersion":2,)" + t + R"("manifests":[)" + entries + "]}";
}

std::string entry(const std::string& digest, const std::string& platform) {
    return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + digest +
           R"(","size":100)" + (platform.empty() ? "" : R"(,"platform":)" + platform) + "}";
}

TEST(Manifest, ParsesDockerSchema2) {
    auto m = parse_manifest(kDockerManifest);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->media_type, media_type::kDockerManifest);
    EXPECT_EQ(m->config.media_type, media_type::kDockerConfig);
    EXPECT_EQ(m->config.digest.str(), kD1);
    EXPECT_EQ(m->config.size, 1457);
    ASSERT_EQ(m->layers.size(), 2u);
    EXPECT_EQ(m->layers[0].size, 2220094);
    EXPECT_EQ(m->layers[1].urls, std::vector<std::string>{"https://example.com/layer"});
    EXPECT_EQ(m->raw, kDockerManifest) << "the bytes read must be kept for the digest";
}

TEST(Manifest, ParsesOciWithoutMediaType) {
    auto kind = detect_manifest_kind(kOciManifestNoType);
    ASSERT_TRUE(kind) << kind.error().message;
    EXPECT_EQ(*kind, ManifestKind::oci_manifest);
    auto m = parse_manifest(kOciManifestNoType);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->media_type, "");
    EXPECT_EQ(m->layers[0].annotations.at("a"), "b");
    EXPECT_EQ(m->annotations.at("org.opencontainers.image.ref.name"), "1");
}

TEST(Manifest, DetectsEveryKind) {
    EXPECT_EQ(detect_manifest_kind(kDockerManifest).value(), ManifestKind::docker_manifest);
    EXPECT_EQ(detect_manifest_kind(index_json("")).value(), ManifestKind::oci_index);
    EXPECT_EQ(detect_manifest_kind(index_json("", std::string(media_type::kOciIndex))).value(),
              ManifestKind::oci_index);
    EXPECT_EQ(
        detect_manifest_kind(index_json("", std::string(media_type::kDockerManifestList))).value(),
        ManifestKind::docker_manifest_list);
    EXPECT_EQ(detect_manifest_kind(
                  R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})")
                  .value(),
              ManifestKind::oci_manifest);
}

TEST(Manifest, RefusesSchema1AndUnknownKinds) {
    auto s1 = detect_manifest_kind(R"({"schemaVersion":1,"name":"x","fsLayers":[]})");
    ASSERT_FALSE(s1);
    EXPECT_NE(s1.error().message.find("schema 1"), std::string::npos) << s1.error().message;
    auto unknown = detect_manifest_kind(R"({"schemaVersion":2,"mediaType":"text/plain"})");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("text/plain"), std::string::npos);
    EXPECT_FALSE(detect_manifest_kind(R"({"schemaVersion":2})")) << "no shape at all";
    EXPECT_FALSE(detect_manifest_kind("[]"));
    EXPECT_FALSE(detect_manifest_kind("{"));
}

TEST(Manifest, IndexAndManifestAreNotInterchangeable) {
    auto m = parse_manifest(index_json(""));
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("not a single-platform manifest"), std::string::npos);
    auto i = parse_index(kDockerManifest);
    ASSERT_FALSE(i);
    EXPECT_NE(i.error().message.find("not an index"), std::string::npos);
}

TEST(Manifest, ValidationErrorsNameTheField) {
    auto with_layer = [](const std::string& layer) {
        return R"({"schemaVersion":2,"config":{"mediaType":"x/y","digest":")" + kD1 +
               R"(","size":1},"layers":[)" + layer + "]}";
    };
    struct Case {
        std::string json, message_part;
    } cases[] = {
        {with_layer(R"({"mediaType":"a/b","digest":"sha256:12","size":1})"), "layers[0].digest"},
        {with_layer(R"({"mediaType":"a/b","digest":")" + kD2 + R"(","size":-1})"),
         "layers[0].size: must not be negative"},
        {with_layer(R"({"digest":")" + kD2 + R"(","size":1})"),
         "layers[0]: missing required field \"mediaType\""},
        {with_layer(R"({"mediaType":"a/b","digest":")" + kD2 + R"("})"),
         "layers[0]: missing required field \"size\""},
        {with_layer(R"({"mediaType":"a/b","digest":")" + kD2 + R"(","size":"1"})"),
         "layers[0].size: expected an integer"},
        {R"({"schemaVersion":3,"config":{},"layers":[]})", "schemaVersion: must be 2, got 3"},
        {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("layers":[]})",
         "missing required field \"config\""},
        {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"x/y","digest":")" +
             kD1 + R"(","size":1}})",
         "missing required field \"layers\""},
    };
    for (auto& c : cases) {
        auto r = parse_manifest(c.json);
        ASSERT_FALSE(r) << c.json << " was accepted";
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
            << c.json << ": " << r.error().message;
    }
    auto idx = parse_index(index_json(entry(kD1, R"({"architecture":"amd64"})")));
    ASSERT_FALSE(idx) << "a platform without os was accepted";
    EXPECT_NE(idx.error().message.find("manifests[0].platform: missing required field \"os\""),
              std::string::npos)
        << idx.error().message;
}

TEST(Manifest, UnknownLayerMediaTypesAreAccepted) {
    // manifest.md: implementations storing or copying manifests MUST NOT error on
    // an unknown layer mediaType.
    auto m = parse_manifest(
        R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.example.config","digest":")" +
        kD1 + R"(","size":1},"layers":[{"mediaType":"application/vnd.example.thing","digest":")" +
        kD2 + R"(","size":1}]})");
    ASSERT_TRUE(m) << m.error().message;
}

TEST(Manifest, SerialisationIsCompactSortedAndRoundTrips) {
    auto m = parse_manifest(kDockerManifest);
    ASSERT_TRUE(m);
    std::string out = to_json(*m);
    EXPECT_EQ(out.find(' '), std::string::npos) << "expected compact JSON: " << out;
    EXPECT_EQ(out.rfind(R"({"config":)", 0), 0u) << "keys must be sorted: " << out;
    auto back = parse_manifest(out);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->layers, m->layers);
    EXPECT_EQ(back->config, m->config);
    EXPECT_EQ(to_json(*back), out) << "serialising is not deterministic";
}

TEST(Manifest, IndexRoundTripsPlatforms) {
    std::string p = R"({"architecture":"arm64","os":"linux","variant":"v8",)"
                    R"("os.features":["f"],"os.version":"1"})";
    auto i = parse_index(index_json(entry(kD1, p), std::string(media_type::kOciIndex)));
    ASSERT_TRUE(i) << i.error().message;
    ASSERT_EQ(i->manifests.size(), 1u);
    ASSERT_TRUE(i->manifests[0].platform);
    EXPECT_EQ(i->manifests[0].platform->os_features, std::vector<std::string>{"f"});
    EXPECT_EQ(i->manifests[0].platform->os_version, "1");
    auto back = parse_index(to_json(*i));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->manifests, i->manifests);
}

TEST(Manifest, MediaTypeClassification) {
    using namespace media_type;
    EXPECT_EQ(layer_compression(kDockerLayerGzip), Compression::gzip);
    EXPECT_EQ(layer_compression(kOciLayerZstd), Compression::zstd);
    EXPECT_EQ(layer_compression(kOciLayer), Compression::none);
    EXPECT_FALSE(layer_compression(kOciConfig));
    EXPECT_TRUE(is_foreign_layer(kDockerLayerForeignGzip));
    EXPECT_FALSE(is_foreign_layer(kOciLayerGzip));
    EXPECT_TRUE(is_index(kDockerManifestList));
    EXPECT_TRUE(is_manifest(kOciManifest));
    EXPECT_TRUE(is_image_config(kDockerConfig));
}

// select_manifest over a typical multi-platform index.
class SelectManifest : public ::testing::Test {
  protected:
    static std::string digest(int n) { return "sha256:" + std::string(63, '0') + char('0' + n); }
    Index index_of(const std::vector<std::string>& platforms) {
        std::string entries;
        for (size_t i = 0; i < platforms.size(); ++i)
            entries += (i ? "," : "") + entry(digest(static_cast<int>(i)), platforms[i]);
        auto idx = parse_index(index_json(entries));
        EXPECT_TRUE(idx) << idx.error().message;
        return idx ? *idx : Index{};
    }
    std::string pick(const Index& idx, std::string_view want) {
        auto d = select_manifest(idx, *parse_platform(want));
        return d ? d->digest.str() : d.error().message;
    }
};

TEST_F(SelectManifest, ExactVariantWins) {
    auto idx = index_of({R"({"architecture":"amd64","os":"linux"})",
                         R"({"architecture":"arm","os":"linux","variant":"v6"})",
                         R"({"architecture":"arm","os":"linux","variant":"v7"})",
                         R"({"architecture":"arm64","os":"linux","variant":"v8"})"});
    EXPECT_EQ(pick(idx, "linux/amd64"), digest(0));
    EXPECT_EQ(pick(idx, "linux/arm/v7"), digest(2)) << "v7 exists, v6 must not be chosen";
    EXPECT_EQ(pick(idx, "linux/arm/v6"), digest(1));
    EXPECT_EQ(pick(idx, "linux/arm64"), digest(3));
}

TEST_F(SelectManifest, Arm64WithoutVariantIsV8) {
    auto idx = index_of({R"({"architecture":"arm64","os":"linux"})"});
    EXPECT_EQ(pick(idx, "linux/arm64/v8"), digest(0));
    auto v8 = index_of({R"({"architecture":"arm64","os":"linux","variant":"v8"})"});
    EXPECT_EQ(pick(v8, "linux/arm64"), digest(0));
}

TEST_F(SelectManifest, OlderArmVariantIsACompatibleFallback) {
    auto idx = index_of({R"({"architecture":"arm","os":"linux","variant":"v5"})",
                         R"({"architecture":"arm","os":"linux","variant":"v6"})"});
    EXPECT_EQ(pick(idx, "linux/arm/v7"), digest(1)) << "the nearest older variant is best";
    auto newer = index_of({R"({"architecture":"arm","os":"linux","variant":"v8"})"});
    EXPECT_NE(pick(newer, "linux/arm/v7").rfind("no matching manifest", 0), std::string::npos)
        << "a v7 host cannot run v8 code";
}

TEST_F(SelectManifest, FirstOfEqualsAndPlatformlessLast) {
    auto idx = index_of({"", R"({"architecture":"amd64","os":"linux"})",
                         R"({"architecture":"amd64","os":"linux"})"});
    EXPECT_EQ(pick(idx, "linux/amd64"), digest(1));
    auto only_untyped = index_of({""});
    EXPECT_EQ(pick(only_untyped, "linux/amd64"), digest(0));
}

TEST_F(SelectManifest, NoMatchIsDockersError) {
    auto idx = index_of({R"({"architecture":"amd64","os":"linux"})",
                         R"({"architecture":"unknown","os":"unknown"})"});
    EXPECT_EQ(pick(idx, "linux/arm64"),
              "no matching manifest for linux/arm64/v8 in the manifest list entries");
    EXPECT_NE(pick(idx, "windows/amd64"), digest(0));
}

}  // namespace
}  // namespace berth::image
