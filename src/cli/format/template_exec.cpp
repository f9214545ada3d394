// Executing a parsed template over JSON data, with Go's and docker's functions.
#include <algorithm>
#include <functional>
#include <map>

#include "cli/format/go_print.hpp"
#include "cli/format/template.hpp"
#include "base/text.hpp"
#include "cli/format/template_ast.hpp"

namespace berth::cli {

// Message building shared with the runtime (GCC 12 has no <format>).
namespace tmpl {
namespace {

using Json = nlohmann::json;
using Value = std::optional<Json>;  // nullopt is Go's invalid value, printed "<no value>"
using Args = std::vector<Value>;
using Function = std::function<Result<Value>(const Args&)>;

// Go's truth: false, 0, nil, and empty strings, arrays and maps are false.
bool truth(const Value& v) {
    if (!v || v->is_null()) return false;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number()) return v->get<double>() != 0;
    if (v->is_string() || v->is_array() || v->is_object()) return !v->empty();
    return true;
}

std::string text_of(const Value& v) { return v ? go_sprint(*v) : "<no value>"; }

Result<long long> int_arg(const Value& v, std::string_view what) {
    if (!v || !v->is_number_integer())
        return fail(cat("wrong type for value; expected int; got ", v ? go_type_name(*v) : "<nil>", " for ", what));
    return v->get<long long>();
}

// Orders two values for eq/lt/...: numbers numerically, strings bytewise, bools and nil by equality only.
Result<int> compare(const Value& a, const Value& b, bool ordering) {
    Json x = a.value_or(Json()), y = b.value_or(Json());
    if (x.is_number() && y.is_number()) {
        double dx = x.get<double>(), dy = y.get<double>();
        return dx < dy ? -1 : dx > dy ? 1 : 0;
    }
    if (x.is_string() && y.is_string()) return x.get<std::string>().compare(y.get<std::string>()) < 0 ? -1 : x == y ? 0 : 1;
    if (ordering) return fail("invalid type for comparison");
    if (x.type() != y.type() && !(x.is_null() || y.is_null())) return fail("incompatible types for comparison");
    if (x.is_array() || x.is_object()) return fail("non-comparable type " + go_type_name(x));
    return x == y ? 0 : 1;
}

Function comparison(std::function<bool(int)> holds, bool ordering) {
    return [holds, ordering](const Args& a) -> Result<Value> {
        if (a.size() < 2) return fail(cat("missing argument for comparison"));
        if (ordering) return Json(holds(BERTH_TRY(compare(a[0], a[1], true))));
        for (size_t i = 1; i < a.size(); ++i)
            if (holds(BERTH_TRY(compare(a[0], a[i], false)))) return Json(true);
        return Json(false);
    };
}

Result<Value> index_fn(const Args& a) {
    if (a.empty()) return fail("wrong number of args for index: want at least 1 got 0");
    Json item = a[0].value_or(Json());
    for (size_t i = 1; i < a.size(); ++i) {
        if (item.is_null()) return fail("index of untyped nil");
        const Json key = a[i].value_or(Json());
        if (item.is_array() || item.is_string()) {
            if (!key.is_number_integer()) return fail("cannot index slice/array with type " + go_type_name(key));
            long long n = key.get<long long>();
            if (n < 0 || static_cast<size_t>(n) >= item.size() + (item.is_string() ? item.get<std::string>().size() - item.size() : 0))
                return fail(cat("index out of range: ", n));
            item = item.is_array() ? item[n] : Json(static_cast<int>(static_cast<unsigned char>(item.get<std::string>()[n])));
        } else if (item.is_object()) {
            if (!key.is_string()) return fail("value has type " + go_type_name(key) + "; should be string");
            auto it = item.find(key.get<std::string>());
            item = it == item.end() ? Json("") : *it;
        } else {
            return fail("can't index item of type " + go_type_name(item));
        }
    }
    return item;
}

// Go's fmt.Sprint: a space between operands when neither side is a string.
std::string sprint(const Args& a, bool always_space) {
    std::string out;
    for (size_t i = 0; i < a.size(); ++i) {
        bool strings = (a[i] && a[i]->is_string()) || (i > 0 && a[i - 1] && a[i - 1]->is_string());
        if (i > 0 && (always_space || !strings)) out += ' ';
        out += text_of(a[i]);
    }
    return out;
}

// strings.Title: upper-cases the first letter of every word.
std::string title(std::string s) {
    bool at_start = true;
    for (char& c : s) {
        auto u = static_cast<unsigned char>(c);
        bool word = std::isalnum(u) || c == '_' || u >= 0x80;
        if (word && at_start) c = static_cast<char>(std::toupper(u));
        at_start = !word;
    }
    return s;
}

std::string map_chars(std::string s, int (*f)(int)) {
    for (char& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return s;
}

std::string json_text(const Value& v) {
    if (!v) return "null";
    return v->dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Value> split_fn(const std::string& s, const std::string& sep) {
    Json out = Json::array();
    if (sep.empty()) {
        for (char c : s) out.push_back(std::string(1, c));
        return out;
    }
    size_t start = 0;
    for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size()) out.push_back(s.substr(start, at - start));
    out.push_back(s.substr(start));
    return out;
}

Result<Value> join_fn(const Value& list, const std::string& sep) {
    if (!list || !list->is_array())
        return fail(cat("wrong type for value; expected []string; got ", list ? go_type_name(*list) : "<nil>"));
    std::string out;
    for (size_t i = 0; i < list->size(); ++i) out += (i ? sep : "") + go_sprint((*list)[i]);
    return Json(out);
}

struct FunctionSpec {
    int arity;  // -1: variadic
    Function fn;
    bool text;  // one of docker's header functions: identity on the header pass
};

const std::map<std::string, FunctionSpec, std::less<>>& functions() {
    static const std::map<std::string, FunctionSpec, std::less<>> table = {
        {"and", {-1, [](const Args& a) -> Result<Value> {
             for (auto& v : a) if (!truth(v)) return v;
             return a.back(); }, false}},
        {"or", {-1, [](const Args& a) -> Result<Value> {
             for (auto& v : a) if (truth(v)) return v;
             return a.back(); }, false}},
        {"not", {1, [](const Args& a) -> Result<Value> { return Json(!truth(a[0])); }, false}},
        {"len", {1, [](const Args& a) -> Result<Value> {
             const Value& v = a[0];
             if (v && v->is_string()) return Json(v->get<std::string>().size());
             if (v && (v->is_array() || v->is_object())) return Json(v->size());
             return fail("len of type " + (v ? go_type_name(*v) : std::string("<nil>"))); }, false}},
        {"index", {-1, index_fn, false}},
        {"print", {-1, [](const Args& a) -> Result<Value> { return Json(sprint(a, false)); }, false}},
        {"println", {-1, [](const Args& a) -> Result<Value> { return Json(sprint(a, true) + "\n"); }, false}},
        {"printf", {-1, [](const Args& a) -> Result<Value> {
             if (a.empty() || !a[0] || !a[0]->is_string()) return fail("printf needs a format string");
             return Json(go_sprintf(a[0]->get<std::string>(), Args(a.begin() + 1, a.end()))); }, false}},
        {"eq", {-1, comparison([](int c) { return c == 0; }, false), false}},
        {"ne", {2, comparison([](int c) { return c != 0; }, false), false}},
        {"lt", {2, comparison([](int c) { return c < 0; }, true), false}},
        {"le", {2, comparison([](int c) { return c <= 0; }, true), false}},
        {"gt", {2, comparison([](int c) { return c > 0; }, true), false}},
        {"ge", {2, comparison([](int c) { return c >= 0; }, true), false}},
        {"json", {1, [](const Args& a) -> Result<Value> { return Json(json_text(a[0])); }, true}},
        {"split", {2, [](const Args& a) { return split_fn(text_of(a[0]), text_of(a[1])); }, true}},
        {"join", {2, [](const Args& a) { return join_fn(a[0], text_of(a[1])); }, true}},
        {"title", {1, [](const Args& a) -> Result<Value> { return Json(title(text_of(a[0]))); }, true}},
        {"lower", {1, [](const Args& a) -> Result<Value> { return Json(map_chars(text_of(a[0]), ::tolower)); }, true}},
        {"upper", {1, [](const Args& a) -> Result<Value> { return Json(map_chars(text_of(a[0]), ::toupper)); }, true}},
        {"truncate", {2, [](const Args& a) -> Result<Value> {
             // docker's truncate counts bytes, as Go's s[:n] does.
             std::string s = text_of(a[0]);
             long long n = BERTH_TRY(int_arg(a[1], "truncate length"));
             return Json(n < 0 || static_cast<size_t>(n) >= s.size() ? s : s.substr(0, n)); }, true}},
        {"pad", {3, [](const Args& a) -> Result<Value> {
             std::string s = text_of(a[0]);
             long long before = BERTH_TRY(int_arg(a[1], "pad prefix")), after = BERTH_TRY(int_arg(a[2], "pad suffix"));
             if (s.empty()) return Json(s);
             return Json(std::string(std::max(0LL, before), ' ') + s + std::string(std::max(0LL, after), ' ')); }, true}},
    };
    return table;
}

class Exec {
  public:
    Exec(const Ast& ast, RenderOptions options, const Json& root) : ast_(ast), options_(options) { vars_.push_back({"$", root}); }

    enum class Flow { Normal, Break, Continue };

    Result<Flow> walk(const std::vector<Node>& nodes, const Json& dot) {
        for (const Node& node : nodes) {
            Flow flow = BERTH_TRY(walk_node(node, dot));
            if (flow != Flow::Normal) return flow;
        }
        return Flow::Normal;
    }

    std::string out;

  private:
    Result<Flow> walk_node(const Node& node, const Json& dot) {
        size_t mark = vars_.size();
        Result<Flow> flow = Flow::Normal;
        switch (node.kind) {
            case Node::Kind::Text: out += node.text; break;
            case Node::Kind::Break: return Flow::Break;
            case Node::Kind::Continue: return Flow::Continue;
            case Node::Kind::Action: {
                Value v = BERTH_TRY(eval_pipeline(node.pipe, dot));
                if (node.pipe.vars.empty()) out += text_of(v);
                return Flow::Normal;  // a declaration stays visible to the rest of the list
            }
            case Node::Kind::If:
            case Node::Kind::With: {
                Value v = BERTH_TRY(eval_pipeline(node.pipe, dot));
                if (truth(v)) flow = walk(node.body, node.kind == Node::Kind::With ? *v : dot);
                else flow = walk(node.else_body, dot);
                break;
            }
            case Node::Kind::Range: flow = walk_range(node, dot); break;
        }
        vars_.resize(mark);
        return flow;
    }

    Result<Flow> walk_range(const Node& node, const Json& dot) {
        Pipeline head = node.pipe;
        head.vars.clear();
        Value v = BERTH_TRY(eval_pipeline(head, dot));
        if (v && !v->is_null() && !v->is_array() && !v->is_object())
            return exec_error(node.pipe.pos, "range", "range can't iterate over " + go_sprint(*v));
        if (!truth(v)) return walk(node.else_body, dot);
        size_t index = 0;
        for (auto& [key, elem] : v->items()) {
            size_t mark = vars_.size();
            Json k = v->is_array() ? Json(index++) : Json(key);
            if (node.pipe.vars.size() == 1) vars_.push_back({node.pipe.vars[0], elem});
            if (node.pipe.vars.size() == 2) vars_.push_back({node.pipe.vars[0], k}), vars_.push_back({node.pipe.vars[1], elem});
            Flow flow = BERTH_TRY(walk(node.body, elem));
            vars_.resize(mark);
            if (flow == Flow::Break) break;
        }
        return Flow::Normal;
    }

    Result<Value> eval_pipeline(const Pipeline& pipe, const Json& dot) {
        Value v;
        bool have = false;
        for (const Command& cmd : pipe.cmds) {
            v = BERTH_TRY(eval_command(cmd, dot, have ? &v : nullptr));
            have = true;
        }
        for (const std::string& name : pipe.vars) {
            if (pipe.declare) {
                vars_.push_back({name, v});
                continue;
            }
            auto it = std::find_if(vars_.rbegin(), vars_.rend(), [&](auto& p) { return p.first == name; });
            if (it == vars_.rend()) return exec_error(pipe.pos, name, "undefined variable: " + name);
            it->second = v;
        }
        return v;
    }

    static std::string command_text(const Command& cmd) {
        std::string s;
        for (auto& a : cmd.args) s += (s.empty() ? "" : " ") + a.text;
        return s;
    }

    Result<Value> eval_command(const Command& cmd, const Json& dot, const Value* piped) {
        const Operand& head = cmd.args[0];
        if (head.kind != Operand::Kind::Function) {
            // docker's formatters have methods taking a key (`.Label "com.x"` on ps
            // rows); their rows hold those as maps, looked up here by the argument.
            if (head.kind == Operand::Kind::Field && cmd.args.size() == 2 && !piped) {
                Value map = BERTH_TRY(eval_operand(head, dot));
                if (options_.header) return map;
                Value key = BERTH_TRY(eval_operand(cmd.args[1], dot));
                if (map && map->is_object() && key && key->is_string())
                    return Value(map->value(key->get<std::string>(), Json("")));
            }
            if (cmd.args.size() > 1 || piped)
                return exec_error(head.pos, command_text(cmd), cat("can't give argument to non-function ", head.text));
            return eval_operand(head, dot);
        }
        Args args;
        for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(BERTH_TRY(eval_operand(cmd.args[i], dot)));
        if (piped) args.push_back(*piped);
        return call(head, args, command_text(cmd));
    }

    Result<Value> call(const Operand& fn, const Args& args, const std::string& context) {
        const FunctionSpec& spec = functions().find(fn.name)->second;
        if ((spec.arity >= 0 && args.size() != static_cast<size_t>(spec.arity)) || (spec.arity < 0 && args.empty() && fn.name != "print" && fn.name != "println"))
            return exec_error(fn.pos, fn.name,
                              cat("wrong number of args for ", fn.name, ": want ", spec.arity < 0 ? "at least " : "", std::max(spec.arity, 1), " got ", args.size()));
        if (options_.header && spec.text) return args[0];
        auto r = spec.fn(args);
        if (!r) return exec_error(fn.pos, context, cat("error calling ", fn.name, ": ", r.error().message));
        return r;
    }

    Result<Value> eval_operand(const Operand& op, const Json& dot) {
        Value base;
        switch (op.kind) {
            case Operand::Kind::Dot:
            case Operand::Kind::Field: base = dot; break;
            case Operand::Kind::Literal: return op.literal;
            case Operand::Kind::Nil: return exec_error(op.pos, "nil", "nil is not a command");
            case Operand::Kind::Function: return call(op, {}, op.name);
            case Operand::Kind::Sub: base = BERTH_TRY(eval_pipeline(*op.sub, dot)); break;
            case Operand::Kind::Variable: {
                auto it = std::find_if(vars_.rbegin(), vars_.rend(), [&](auto& p) { return p.first == op.name; });
                if (it == vars_.rend()) return exec_error(op.pos, op.name, "undefined variable: " + op.name);
                base = it->second;
                break;
            }
        }
        size_t tail = 0;
        for (auto& f : op.fields) tail += f.size() + 1;
        for (const std::string& field : op.fields) {
            size_t pos = op.pos + op.text.size() - tail;
            tail -= field.size() + 1;
            if (options_.header && (!base || !base->is_object())) return Value();
            if (!base || base->is_null()) return exec_error(pos, op.text, "nil pointer evaluating interface {}." + field);
            if (!base->is_object()) return exec_error(pos, op.text, cat("can't evaluate field ", field, " in type ", go_type_name(*base)));
            auto it = base->find(field);
            if (it == base->end()) {
                if (options_.header) return Value();
                return exec_error(pos, op.text, cat("map has no entry for key \"", field, "\""));
            }
            base = Json(*it);
        }
        return base;
    }

    std::unexpected<Error> exec_error(size_t pos, std::string_view context, std::string_view msg) const {
        std::string_view before = std::string_view(ast_.source).substr(0, pos);
        size_t nl = before.rfind('\n');
        size_t line = 1 + std::count(before.begin(), before.end(), '\n');
        size_t col = nl == std::string_view::npos ? pos : pos - nl - 1;
        return fail(cat("template: :", line, ":", col, ": executing \"\" at <", context, ">: ", msg));
    }

    const Ast& ast_;
    RenderOptions options_;
    std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace

bool is_function(std::string_view name) { return functions().contains(name); }

}  // namespace tmpl

Result<std::string> Template::render(const nlohmann::json& data, RenderOptions options) const {
    tmpl::Exec exec(*ast_, options, data);
    auto flow = exec.walk(ast_->root, data);
    if (!flow && !options.header) return std::unexpected(std::move(flow.error()));
    return std::move(exec.out);
}

}  // namespace berth::cli
