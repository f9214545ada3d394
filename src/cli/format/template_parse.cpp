// Parsing Go template text: split it into text and actions (honouring the `{{- `
// and ` -}}` trim markers), lex each action, and build the node tree.
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>

#include "cli/format/template.hpp"
#include "cli/format/template_ast.hpp"
#include "base/text.hpp"

namespace berth::cli {

// Message building shared with the runtime (GCC 12 has no <format>).
namespace tmpl {
namespace {

struct Token {
    enum class Kind { Field, Dot, Variable, Ident, String, Number, Pipe, LParen, RParen, Declare, Assign, Comma, Space };
    Kind kind;
    std::string text;  // raw text; for String the unquoted value
    size_t pos;
};

// One `{{...}}` with its tokens, or a run of text.
struct Item {
    bool is_action = false;
    std::string text;
    std::vector<Token> tokens;
    size_t pos = 0;
};

std::unexpected<Error> parse_error(std::string_view source, size_t pos, std::string_view msg) {
    size_t line = 1;
    for (size_t i = 0; i < pos && i < source.size(); ++i) line += source[i] == '\n';
    return fail(cat("template: :", line, ": ", msg));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }

// Go's quoted-string escapes (\n \t \" \\ \xNN \uNNNN ...), enough for format strings.
std::optional<std::string> unquote(std::string_view body) {
    std::string out;
    for (size_t i = 0; i < body.size(); ++i) {
        char c = body[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= body.size()) return std::nullopt;
        switch (body[i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'v': out += '\v'; break;
            case '\\': out += '\\'; break;
            case '"': out += '"'; break;
            case '\'': out += '\''; break;
            case 'x': {
                unsigned v = 0;
                if (i + 2 >= body.size()) return std::nullopt;
                auto r = std::from_chars(body.data() + i + 1, body.data() + i + 3, v, 16);
                if (r.ptr != body.data() + i + 3) return std::nullopt;
                out += static_cast<char>(v);
                i += 2;
                break;
            }
            default: return std::nullopt;
        }
    }
    return out;
}

class Lexer {
  public:
    explicit Lexer(std::string_view src) : src_(src) {}

    Result<std::vector<Item>> run() {
        std::vector<Item> items;
        size_t i = 0;
        while (i < src_.size()) {
            size_t open = src_.find("{{", i);
            std::string text(src_.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i));
            if (open == std::string_view::npos) {
                items.push_back({false, std::move(text), {}, i});
                break;
            }
            bool trim_left = open + 3 < src_.size() && src_[open + 2] == '-' && is_space(src_[open + 3]);
            if (trim_left) text.erase(text.find_last_not_of(" \t\r\n") + 1);
            if (!text.empty()) items.push_back({false, std::move(text), {}, i});
            Item action{true, {}, {}, open};
            i = open + 2 + (trim_left ? 2 : 0);
            bool trim_right = false;
            BERTH_TRYV(lex_action(i, action.tokens, trim_right));
            if (trim_right) {
                while (i < src_.size() && is_space(src_[i])) ++i;
            }
            if (!is_comment(action)) items.push_back(std::move(action));
        }
        return items;
    }

  private:
    static bool is_comment(const Item& item) { return item.tokens.size() == 1 && item.tokens[0].text == "/*"; }

    // Lexes from `i` (just inside `{{`) to past the closing `}}`.
    Result<void> lex_action(size_t& i, std::vector<Token>& out, bool& trim_right) {
        if (src_.substr(i, 2) == "/*") {
            size_t end = src_.find("*/", i + 2);
            if (end == std::string_view::npos) return parse_error(src_, i, "unclosed comment");
            i = end + 2;
            while (i < src_.size() && is_space(src_[i])) ++i;
            if (src_.substr(i, 3) == "-}}") trim_right = true, i += 1;
            if (src_.substr(i, 2) != "}}") return parse_error(src_, i, "comment ends before closing delimiter");
            i += 2;
            out.push_back({Token::Kind::Space, "/*", i});
            return {};
        }
        for (;;) {
            if (i >= src_.size()) return parse_error(src_, i, "unclosed action");
            char c = src_[i];
            size_t start = i;
            if (is_space(c)) {
                while (i < src_.size() && is_space(src_[i])) ++i;
                if (src_.substr(i, 3) == "-}}") {
                    trim_right = true;
                    i += 3;
                    return {};
                }
                out.push_back({Token::Kind::Space, " ", start});
                continue;
            }
            if (src_.substr(i, 2) == "}}") {
                i += 2;
                return {};
            }
            if (c == '"' || c == '`') {
                BERTH_TRYV(lex_string(i, out));
                continue;
            }
            if (c == '|') out.push_back({Token::Kind::Pipe, "|", i++});
            else if (c == '(') out.push_back({Token::Kind::LParen, "(", i++});
            else if (c == ')') out.push_back({Token::Kind::RParen, ")", i++});
            else if (c == ',') out.push_back({Token::Kind::Comma, ",", i++});
            else if (c == '=') out.push_back({Token::Kind::Assign, "=", i++});
            else if (c == ':' && src_.substr(i, 2) == ":=") out.push_back({Token::Kind::Declare, ":=", i}), i += 2;
            else if (c == '.' && (i + 1 >= src_.size() || !is_alnum(src_[i + 1]) || std::isdigit(static_cast<unsigned char>(src_[i + 1])))) {
                if (i + 1 < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i + 1]))) lex_number(i, out);
                else out.push_back({Token::Kind::Dot, ".", i++});
            } else if (c == '.' || c == '$') {
                ++i;
                while (i < src_.size() && is_alnum(src_[i])) ++i;
                out.push_back({c == '.' ? Token::Kind::Field : Token::Kind::Variable, std::string(src_.substr(start, i - start)), start});
            } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+') && i + 1 < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i + 1])))) {
                lex_number(i, out);
            } else if (is_alnum(c)) {
                while (i < src_.size() && is_alnum(src_[i])) ++i;
                out.push_back({Token::Kind::Ident, std::string(src_.substr(start, i - start)), start});
            } else {
                char code[8];
                std::snprintf(code, sizeof code, "%04X", static_cast<unsigned char>(c));
                return parse_error(src_, i, cat("bad character U+", code, " '", c, "'"));
            }
        }
    }

    Result<void> lex_string(size_t& i, std::vector<Token>& out) {
        char quote = src_[i];
        size_t start = i++;
        while (i < src_.size() && src_[i] != quote) {
            if (quote == '"' && src_[i] == '\\') ++i;
            if (quote == '"' && i < src_.size() && src_[i] == '\n') break;
            ++i;
        }
        if (i >= src_.size() || src_[i] != quote)
            return parse_error(src_, start, quote == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
        std::string_view body = src_.substr(start + 1, i - start - 1);
        ++i;
        if (quote == '`') {
            out.push_back({Token::Kind::String, std::string(body), start});
            return {};
        }
        auto value = unquote(body);
        if (!value) return parse_error(src_, start, cat("invalid syntax in string ", src_.substr(start, i - start)));
        out.push_back({Token::Kind::String, std::move(*value), start});
        return {};
    }

    void lex_number(size_t& i, std::vector<Token>& out) {
        size_t start = i;
        if (src_[i] == '-' || src_[i] == '+') ++i;
        while (i < src_.size() && (is_alnum(src_[i]) || src_[i] == '.' ||
                                   ((src_[i] == '-' || src_[i] == '+') && (src_[i - 1] == 'e' || src_[i - 1] == 'E'))))
            ++i;
        out.push_back({Token::Kind::Number, std::string(src_.substr(start, i - start)), start});
    }

    std::string_view src_;
};

// Go number literal: decimal or 0x integer, else a float.
std::optional<nlohmann::json> number_value(const std::string& text) {
    std::string_view s = text;
    bool neg = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s.remove_prefix(2);
    long long v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return nlohmann::json(neg ? -v : v);
    double d = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
    if (base == 10 && rd.ec == std::errc() && rd.ptr == s.data() + s.size()) return nlohmann::json(neg ? -d : d);
    return std::nullopt;
}

// Recursive-descent parser over the lexed items.
class Parser {
  public:
    Parser(std::string_view src, std::vector<Item> items) : src_(src), items_(std::move(items)) {}

    Result<std::vector<Node>> parse_root() {
        std::vector<Node> nodes;
        BERTH_TRY(parse_list(nodes, 0));
        if (next_ < items_.size()) {
            const Item& item = items_[next_];
            return parse_error(src_, item.pos, cat("unexpected {{", keyword(item), "}}"));
        }
        return nodes;
    }

  private:
    enum class End { Eof, End, Else };

    static std::string keyword(const Item& item) {
        return item.tokens.empty() || item.tokens[0].kind != Token::Kind::Ident ? "" : item.tokens[0].text;
    }

    // Parses nodes until {{end}}, {{else}} or the end of input; leaves next_ on the
    // terminating item.
    Result<End> parse_list(std::vector<Node>& nodes, int range_depth) {
        while (next_ < items_.size()) {
            Item& item = items_[next_];
            if (!item.is_action) {
                nodes.push_back({Node::Kind::Text, item.text, {}, {}, {}});
                ++next_;
                continue;
            }
            std::string kw = keyword(item);
            if (kw == "end") return End::End;
            if (kw == "else") return End::Else;
            ++next_;
            if (kw == "if" || kw == "with" || kw == "range") {
                nodes.push_back(BERTH_TRY(parse_control(kw, item, 1, range_depth)));
            } else if (kw == "break" || kw == "continue") {
                if (range_depth == 0) return parse_error(src_, item.pos, cat("{{", kw, "}} outside {{range}}"));
                nodes.push_back({kw == "break" ? Node::Kind::Break : Node::Kind::Continue, {}, {}, {}, {}});
            } else if (kw == "define" || kw == "template" || kw == "block") {
                return parse_error(src_, item.pos, cat("{{", kw, "}} is not supported in --format templates"));
            } else {
                Node node{Node::Kind::Action, {}, {}, {}, {}};
                node.pipe = BERTH_TRY(parse_pipeline(item.tokens, 0, item.pos, true));
                nodes.push_back(std::move(node));
            }
        }
        return End::Eof;
    }

    // `{{if|with|range PIPE}} body [{{else [if ...]}} body] {{end}}`; `first` is the
    // index of the pipeline's first token in `item`.
    Result<Node> parse_control(const std::string& kw, const Item& item, size_t first, int range_depth) {
        Node node;
        node.kind = kw == "if" ? Node::Kind::If : kw == "with" ? Node::Kind::With : Node::Kind::Range;
        node.pipe = BERTH_TRY(parse_pipeline(item.tokens, first, item.pos, kw == "range" || kw == "with"));
        if (node.pipe.cmds.empty()) return parse_error(src_, item.pos, cat("missing value for ", kw));
        int depth = range_depth + (kw == "range");
        End end = BERTH_TRY(parse_list(node.body, depth));
        if (end == End::Eof) return parse_error(src_, src_.size(), "unexpected EOF");
        if (end == End::Else) {
            const Item& else_item = items_[next_++];
            size_t t = 1;
            while (t < else_item.tokens.size() && else_item.tokens[t].kind == Token::Kind::Space) ++t;
            if (t < else_item.tokens.size()) {
                // `{{else if X}}` is an if nested in the else branch that shares our {{end}}.
                const Token& tok = else_item.tokens[t];
                if (kw == "range" || tok.kind != Token::Kind::Ident || (tok.text != "if" && tok.text != "with"))
                    return parse_error(src_, else_item.pos, "unexpected token in {{else}}");
                node.else_body.push_back(BERTH_TRY(parse_control(tok.text, else_item, t + 1, range_depth)));
                return node;
            }
            end = BERTH_TRY(parse_list(node.else_body, range_depth));
            if (end == End::Eof) return parse_error(src_, src_.size(), "unexpected EOF");
            if (end == End::Else) return parse_error(src_, items_[next_].pos, "expected end; found {{else}}");
        }
        ++next_;  // the {{end}}
        return node;
    }

    static void skip_space(const std::vector<Token>& toks, size_t& i) {
        while (i < toks.size() && toks[i].kind == Token::Kind::Space) ++i;
    }

    // Parses `[$a[, $b] :=|=] cmd | cmd ...` from toks[i..] up to the end (or a
    // closing paren when `in_paren`).
    Result<Pipeline> parse_pipeline(const std::vector<Token>& toks, size_t i, size_t pos, bool allow_decl, bool in_paren = false,
                                    size_t* stop = nullptr) {
        Pipeline pipe;
        pipe.pos = pos;
        skip_space(toks, i);
        size_t save = i;
        std::vector<std::string> vars;
        while (i < toks.size() && toks[i].kind == Token::Kind::Variable) {
            vars.push_back(toks[i++].text);
            skip_space(toks, i);
            if (i < toks.size() && toks[i].kind == Token::Kind::Comma && allow_decl && vars.size() == 1) {
                ++i;
                skip_space(toks, i);
                continue;
            }
            break;
        }
        if (!vars.empty() && i < toks.size() && (toks[i].kind == Token::Kind::Declare || toks[i].kind == Token::Kind::Assign)) {
            pipe.declare = toks[i].kind == Token::Kind::Declare;
            pipe.vars = std::move(vars);
            ++i;
        } else {
            i = save;
        }
        for (;;) {
            Command cmd;
            cmd.pos = i < toks.size() ? toks[i].pos : pos;
            for (;;) {
                skip_space(toks, i);
                if (i >= toks.size() || toks[i].kind == Token::Kind::Pipe || toks[i].kind == Token::Kind::RParen) break;
                cmd.args.push_back(BERTH_TRY(parse_operand(toks, i)));
                if (i < toks.size() && toks[i].kind != Token::Kind::Space && toks[i].kind != Token::Kind::Pipe &&
                    toks[i].kind != Token::Kind::RParen)
                    return parse_error(src_, toks[i].pos, cat("unexpected \"", toks[i].text, "\" in operand"));
            }
            if (cmd.args.empty())
                return parse_error(src_, pos, pipe.cmds.empty() ? "missing value for command" : "missing command");
            pipe.cmds.push_back(std::move(cmd));
            if (i < toks.size() && toks[i].kind == Token::Kind::Pipe) {
                ++i;
                continue;
            }
            break;
        }
        if (in_paren) {
            if (i >= toks.size()) return parse_error(src_, pos, "unclosed left paren");
            *stop = i + 1;
        } else if (i < toks.size()) {
            return parse_error(src_, toks[i].pos, "unexpected right paren");
        }
        for (size_t c = 1; c < pipe.cmds.size(); ++c) {
            const Operand& head = pipe.cmds[c].args[0];
            if (head.kind != Operand::Kind::Function)
                return parse_error(src_, head.pos, cat("non executable command in pipeline stage ", c + 1));
        }
        return pipe;
    }

    Result<Operand> parse_operand(const std::vector<Token>& toks, size_t& i) {
        const Token& tok = toks[i];
        Operand op;
        op.pos = tok.pos;
        op.text = tok.text;
        switch (tok.kind) {
            case Token::Kind::Dot: op.kind = Operand::Kind::Dot; ++i; break;
            case Token::Kind::Field:
                op.kind = Operand::Kind::Field;
                op.fields.push_back(tok.text.substr(1));
                ++i;
                break;
            case Token::Kind::Variable:
                op.kind = Operand::Kind::Variable;
                op.name = tok.text;
                ++i;
                break;
            case Token::Kind::String:
                op.kind = Operand::Kind::Literal;
                op.literal = tok.text;
                op.text = cat("\"", tok.text, "\"");
                ++i;
                break;
            case Token::Kind::Number: {
                auto v = number_value(tok.text);
                if (!v) return parse_error(src_, tok.pos, cat("bad number syntax: \"", tok.text, "\""));
                op.kind = Operand::Kind::Literal;
                op.literal = *v;
                ++i;
                break;
            }
            case Token::Kind::Ident:
                ++i;
                if (tok.text == "true" || tok.text == "false") {
                    op.kind = Operand::Kind::Literal;
                    op.literal = tok.text == "true";
                } else if (tok.text == "nil") {
                    op.kind = Operand::Kind::Nil;
                } else if (is_function(tok.text)) {
                    op.kind = Operand::Kind::Function;
                    op.name = tok.text;
                } else {
                    return parse_error(src_, tok.pos, cat("function \"", tok.text, "\" not defined"));
                }
                break;
            case Token::Kind::LParen: {
                size_t stop = 0;
                op.kind = Operand::Kind::Sub;
                op.sub = std::make_shared<Pipeline>(BERTH_TRY(parse_pipeline(toks, i + 1, tok.pos, false, true, &stop)));
                op.text = std::string(src_.substr(tok.pos, toks[stop - 1].pos + 1 - tok.pos));
                i = stop;
                break;
            }
            default: return parse_error(src_, tok.pos, cat("unexpected \"", tok.text, "\" in operand"));
        }
        // A field chain glued to the operand: `$x.A.B`, `(pipe).A`, `.A.B`.
        while (i < toks.size() && toks[i].kind == Token::Kind::Field) {
            if (op.kind != Operand::Kind::Field && op.kind != Operand::Kind::Variable && op.kind != Operand::Kind::Sub)
                return parse_error(src_, toks[i].pos, cat("unexpected . after term \"", op.text, "\""));
            op.fields.push_back(toks[i].text.substr(1));
            op.text += toks[i].text;
            ++i;
        }
        return op;
    }

    std::string_view src_;
    std::vector<Item> items_;
    size_t next_ = 0;
};

}  // namespace
}  // namespace tmpl

Result<Template> parse_template(std::string_view text) {
    auto ast = std::make_shared<tmpl::Ast>();
    ast->source = std::string(text);
    auto items = BERTH_TRY(tmpl::Lexer(ast->source).run());
    ast->root = BERTH_TRY(tmpl::Parser(ast->source, std::move(items)).parse_root());
    Template t;
    t.ast_ = std::move(ast);
    return t;
}

}  // namespace berth::cli
