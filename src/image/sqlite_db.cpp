#include "image/sqlite_db.hpp"

#include <sqlite3.h>

namespace berth::image {

namespace {

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

}  // namespace

std::string SqlRow::text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}

std::int64_t SqlRow::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

bool SqlRow::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path) {
    sqlite3* raw = nullptr;
    // FULLMUTEX: the daemon's connection threads share one handle.
    int rc = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
    if (rc != SQLITE_OK) return std::unexpected(db->error("open database " + path));
    sqlite3_busy_timeout(raw, 5000);
    BERTH_TRYV_CTX(db->exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                   "PRAGMA foreign_keys=ON;"),
                   "open database " + path);
    return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Error SqliteDb::error(std::string_view what) const {
    return Error{0, std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory")};
}

Result<void> SqliteDb::exec_script(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string text = msg ? msg : "unknown error";
        sqlite3_free(msg);
        return fail("sqlite: " + text);
    }
    return {};
}

Result<void> SqliteDb::exec(const std::string& sql, const std::vector<SqlValue>& params,
                            const std::function<void(const SqlRow&)>& on_row) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
        return std::unexpected(error("sqlite prepare"));
    Stmt stmt(raw);
    for (std::size_t i = 0; i < params.size(); ++i) {
        int idx = static_cast<int>(i + 1);
        const auto& v = params[i];
        if (auto* n = std::get_if<std::int64_t>(&v))
            sqlite3_bind_int64(raw, idx, *n);
        else if (auto* s = std::get_if<std::string>(&v))
            sqlite3_bind_text(raw, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(raw, idx);
    }
    for (;;) {
        int rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) return {};
        if (rc != SQLITE_ROW) return std::unexpected(error("sqlite"));
        if (on_row) on_row(SqlRow(raw));
    }
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

Result<void> SqliteDb::transaction(const std::function<Result<void>()>& body) {
    BERTH_TRYV(exec_script("BEGIN IMMEDIATE"));
    auto r = body();
    if (!r) {
        (void)exec_script("ROLLBACK");
        return r;
    }
    return exec_script("COMMIT");
}

}  // namespace berth::image
