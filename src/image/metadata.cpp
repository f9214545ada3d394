#include "image/metadata.hpp"

namespace berth::image {

namespace {

// Schema version 1. A later version adds a migration step keyed on user_version.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS layers (
    chain_id   TEXT PRIMARY KEY,
    diff_id    TEXT NOT NULL,
    parent     TEXT NOT NULL,
    snapshot   TEXT NOT NULL UNIQUE,
    blob       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS images (
    id        TEXT PRIMARY KEY,
    top_layer TEXT NOT NULL,
    size      INTEGER NOT NULL,
    added     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tags (
    ref      TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tags_by_image ON tags(image_id);
CREATE TABLE IF NOT EXISTS repo_digests (
    ref      TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS digests_by_image ON repo_digests(image_id);
PRAGMA user_version = 1;
)sql";

// Version 2: which repositories a layer blob is known to be in, so a push can ask
// the registry to mount it from there instead of uploading it again.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS blob_sources (
    blob       TEXT NOT NULL,
    repository TEXT NOT NULL,
    seen       INTEGER NOT NULL,
    PRIMARY KEY (blob, repository)
);
PRAGMA user_version = 2;
)sql";
constexpr std::int64_t kSchemaVersion = 2;

ImageRow image_row(const SqlRow& r) {
    return ImageRow{r.text(0), r.text(1), r.integer(2), r.integer(3)};
}

LayerRow layer_row(const SqlRow& r) {
    return LayerRow{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.integer(6)};
}

constexpr const char* kImageCols = "SELECT id, top_layer, size, added FROM images";
constexpr const char* kLayerCols =
    "SELECT chain_id, diff_id, parent, snapshot, blob, media_type, size FROM layers";

// Reads one text column of every row of a query.
Result<std::vector<std::string>> strings(SqliteDb& db, const std::string& sql,
                                         const std::vector<SqlValue>& params) {
    std::vector<std::string> out;
    BERTH_TRYV(db.exec(sql, params, [&](const SqlRow& r) { out.push_back(r.text(0)); }));
    return out;
}

Result<std::optional<std::string>> one_string(SqliteDb& db, const std::string& sql,
                                              const std::vector<SqlValue>& params) {
    auto all = BERTH_TRY(strings(db, sql, params));
    if (all.empty()) return std::optional<std::string>();
    return std::optional<std::string>(all.front());
}

}  // namespace

Result<std::unique_ptr<Metadata>> Metadata::open(const std::string& path) {
    auto db = BERTH_TRY(SqliteDb::open(path));
    // Only a new database gets the schema: writing it again would cost a synced
    // transaction on every daemon start.
    std::int64_t version = 0;
    BERTH_TRYV(db->exec("PRAGMA user_version", {}, [&](const SqlRow& r) { version = r.integer(0); }));
    if (version > kSchemaVersion)
        return fail("database " + path + " has schema version " + std::to_string(version) +
                    ", newer than this berthd knows (" + std::to_string(kSchemaVersion) + ")");
    if (version == 0) BERTH_TRYV_CTX(db->exec_script(kSchema), "create schema in " + path);
    if (version < 2)
        BERTH_TRYV_CTX(db->exec_script(kSchemaV2), "upgrade schema in " + path + " to version 2");
    return std::unique_ptr<Metadata>(new Metadata(std::move(db)));
}

Result<std::optional<ImageRow>> Metadata::image(const std::string& id) {
    std::optional<ImageRow> out;
    BERTH_TRYV(db_->exec(std::string(kImageCols) + " WHERE id = ?1", {id},
                         [&](const SqlRow& r) { out = image_row(r); }));
    return out;
}

Result<std::vector<ImageRow>> Metadata::images() {
    std::vector<ImageRow> out;
    BERTH_TRYV(db_->exec(kImageCols, {}, [&](const SqlRow& r) { out.push_back(image_row(r)); }));
    return out;
}

Result<std::vector<std::string>> Metadata::images_with_prefix(const std::string& hex_prefix) {
    // Callers pass hex digits only, so the LIKE pattern holds no wildcards of its own.
    return strings(*db_, "SELECT id FROM images WHERE id LIKE ?1",
                   {"sha256:" + hex_prefix + "%"});
}

Result<void> Metadata::put_image(const ImageRow& row) {
    return db_->exec(
        "INSERT INTO images(id, top_layer, size, added) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(id) DO NOTHING",
        {row.id, row.top_layer, row.size, row.added});
}

Result<void> Metadata::delete_image(const std::string& id) {
    return db_->exec("DELETE FROM images WHERE id = ?1", {id});
}

Result<std::optional<std::string>> Metadata::tag_target(const std::string& ref) {
    return one_string(*db_, "SELECT image_id FROM tags WHERE ref = ?1", {ref});
}

Result<std::vector<std::string>> Metadata::tags_of(const std::string& image_id) {
    return strings(*db_, "SELECT ref FROM tags WHERE image_id = ?1 ORDER BY ref", {image_id});
}

Result<void> Metadata::set_tag(const std::string& ref, const std::string& image_id) {
    return db_->exec(
        "INSERT INTO tags(ref, image_id) VALUES(?1, ?2) "
        "ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id",
        {ref, image_id});
}

Result<bool> Metadata::remove_tag(const std::string& ref) {
    BERTH_TRYV(db_->exec("DELETE FROM tags WHERE ref = ?1", {ref}));
    return db_->changes() > 0;
}

Result<std::optional<std::string>> Metadata::digest_target(const std::string& ref) {
    return one_string(*db_, "SELECT image_id FROM repo_digests WHERE ref = ?1", {ref});
}

Result<std::vector<std::string>> Metadata::digests_of(const std::string& image_id) {
    return strings(*db_, "SELECT ref FROM repo_digests WHERE image_id = ?1 ORDER BY ref",
                   {image_id});
}

Result<void> Metadata::set_digest(const std::string& ref, const std::string& image_id) {
    return db_->exec(
        "INSERT INTO repo_digests(ref, image_id) VALUES(?1, ?2) "
        "ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id",
        {ref, image_id});
}

Result<bool> Metadata::remove_digest(const std::string& ref) {
    BERTH_TRYV(db_->exec("DELETE FROM repo_digests WHERE ref = ?1", {ref}));
    return db_->changes() > 0;
}

Result<void> Metadata::add_blob_source(const std::string& blob, const std::string& repository,
                                       std::int64_t seen) {
    return db_->exec(
        "INSERT INTO blob_sources(blob, repository, seen) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(blob, repository) DO UPDATE SET seen = excluded.seen",
        {blob, repository, seen});
}

Result<std::vector<std::string>> Metadata::blob_sources(const std::string& blob) {
    return strings(
        *db_, "SELECT repository FROM blob_sources WHERE blob = ?1 ORDER BY seen DESC, repository",
        {blob});
}

Result<std::optional<LayerRow>> Metadata::layer(const std::string& chain_id) {
    std::optional<LayerRow> out;
    BERTH_TRYV(db_->exec(std::string(kLayerCols) + " WHERE chain_id = ?1", {chain_id},
                         [&](const SqlRow& r) { out = layer_row(r); }));
    return out;
}

Result<std::vector<LayerRow>> Metadata::layers() {
    std::vector<LayerRow> out;
    BERTH_TRYV(db_->exec(kLayerCols, {}, [&](const SqlRow& r) { out.push_back(layer_row(r)); }));
    return out;
}

Result<void> Metadata::put_layer(const LayerRow& row) {
    return db_->exec(
        "INSERT INTO layers(chain_id, diff_id, parent, snapshot, blob, media_type, size) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(chain_id) DO NOTHING",
        {row.chain_id, row.diff_id, row.parent, row.snapshot, row.blob, row.media_type, row.size});
}

Result<void> Metadata::delete_layer(const std::string& chain_id) {
    return db_->exec("DELETE FROM layers WHERE chain_id = ?1", {chain_id});
}

}  // namespace berth::image
