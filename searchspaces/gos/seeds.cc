#include "searchspaces/gos/seeds.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/text.h"

namespace gos::graph {
namespace {

// Builds a graph node by node; each helper returns the new node's index.
class Builder {
 public:
  Builder() { graph_.nodes.push_back(Node{}); }
  int add(Op op, Attrs attrs, int a, int b = -1) {
    Node node;
    node.op = op;
    node.attrs = attrs;
    node.inputs = {a, b};
    graph_.nodes.push_back(node);
    return static_cast<int>(graph_.nodes.size()) - 1;
  }
  int conv(int k, int channels, int stride, int from) { return add(Op::kConv, {k, channels, 1, 1, stride}, from); }
  int pconv(int channels, int from) { return add(Op::kPointwiseConv, {channels}, from); }
  int bn(int from) { return add(Op::kBatchNorm, {}, from); }
  int act(Op op, int from) { return add(op, {}, from); }
  Graph take() { return std::move(graph_); }

 private:
  Graph graph_;
};

const std::vector<std::string>& names() {
  static const std::vector<std::string> list = {"conv3x3_bn_relu", "depthwise_separable", "bottleneck", "mbconv",
                                                "inception"};
  return list;
}

// MobileNetV2's expansion factor.
constexpr int kMbconvExpansion = 6;

}  // namespace

std::vector<std::string> seed_names() { return names(); }

Graph make_seed(std::string_view name, const GraphSpec& spec) {
  const Shape& in = spec.input;
  const Shape& out = spec.output;
  int stride = 0;
  if (out.h == in.h && out.w == in.w) stride = 1;
  else if (out.h == strided(in.h, 2) && out.w == strided(in.w, 2)) stride = 2;
  else
    throw Error(fmt::format("seed '{}': the output {} is neither the input's resolution nor half of it ({} -> {}x{} "
                            "or {}x{})",
                            name, out.to_string(), in.to_string(), in.h, in.w, strided(in.h, 2), strided(in.w, 2)));
  // A residual connection exists only where the operator keeps the shape.
  const bool residual = in == out;
  Builder b;
  if (name == "conv3x3_bn_relu") {
    b.act(Op::kRelu, b.bn(b.conv(3, out.c, stride, 0)));
  } else if (name == "depthwise_separable") {
    const int dw = b.act(Op::kRelu, b.bn(b.add(Op::kDepthwiseConv, {3, 1, stride}, 0)));
    b.act(Op::kRelu, b.bn(b.pconv(out.c, dw)));
  } else if (name == "bottleneck") {
    const int mid = std::max(1, out.c / 4);
    const int reduce = b.act(Op::kRelu, b.bn(b.pconv(mid, 0)));
    const int spatial = b.act(Op::kRelu, b.bn(b.conv(3, mid, stride, reduce)));
    int expand = b.bn(b.pconv(out.c, spatial));
    if (residual) expand = b.add(Op::kAdd, {}, expand, 0);
    b.act(Op::kRelu, expand);
  } else if (name == "mbconv") {
    const int wide = std::min(kMaxChannels, in.c * kMbconvExpansion);
    const int expand = b.act(Op::kRelu6, b.bn(b.pconv(wide, 0)));
    const int dw = b.act(Op::kRelu6, b.bn(b.add(Op::kDepthwiseConv, {3, 1, stride}, expand)));
    const int project = b.bn(b.pconv(out.c, dw));
    if (residual) b.add(Op::kAdd, {}, project, 0);
  } else if (name == "inception") {
    if (out.c < 4) throw Error(fmt::format("seed 'inception' needs at least 4 output channels, not {}", out.c));
    const int c1 = out.c / 4;
    const int c2 = out.c / 2;
    const int c3 = out.c - c1 - c2;
    const int branch1 = b.act(Op::kRelu, b.bn(b.conv(1, c1, stride, 0)));
    const int reduce = b.act(Op::kRelu, b.bn(b.pconv(std::max(1, c2 / 2), 0)));
    const int branch2 = b.act(Op::kRelu, b.bn(b.conv(3, c2, stride, reduce)));
    const int pool = b.add(Op::kMaxPool, {stride}, 0);
    const int branch3 = b.act(Op::kRelu, b.bn(b.pconv(c3, pool)));
    b.add(Op::kConcat, {}, b.add(Op::kConcat, {}, branch1, branch2), branch3);
  } else {
    throw Error(fmt::format("unknown seed '{}'{}; valid: {}", name, did_you_mean(name, names()), join(names(), ", ")));
  }
  Graph graph = b.take();
  canonicalize(graph);
  const std::string error = validate(graph, spec);
  if (!error.empty()) throw Error(fmt::format("seed '{}' does not fit: {}", name, error));
  return graph;
}

}  // namespace gos::graph
