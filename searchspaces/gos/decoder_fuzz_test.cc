// Fuzz-style test of the genome decoder: valid genome strings corrupted by
// byte flips, truncations, token swaps, insertions and splices. The decoder
// must either return a valid graph or throw gos::Error; anything else (a
// crash, another exception type) fails. Bounded by a draw count and a few
// seconds of wall-clock time, so it runs on every CI build.
#include <gtest/gtest.h>

#include <chrono>

#include "searchspaces/gos/graph.h"
#include "searchspaces/gos/seeds.h"
#include "searchspaces/gos/variation.h"

namespace gos::graph {
namespace {

// Pieces of genome syntax, so corruptions stay close to the grammar and reach
// deep into the parser rather than failing at the first character.
const std::vector<std::string> kTokens = {";",  "(",     ")",    "[",    "]",     ",",       "=",  "n0", "n1",
                                          "n2", "n99",   "out:", "in:",  "conv",  "add",     "x",  "-1", "0",
                                          "3",  "99999", "k=3",  "co=",  "relu",  "concat",  " ",  "\n", "\xff"};

std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (std::string(";()[],=:").find(c) != std::string::npos) {
      if (!current.empty()) tokens.push_back(current);
      tokens.emplace_back(1, c);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

std::string corrupt(const std::string& text, const std::string& other, Rng& rng) {
  std::string result = text;
  const int edits = static_cast<int>(rng.uniform_int(1, 3));
  for (int edit = 0; edit < edits; ++edit) {
    switch (rng.index(6)) {
      case 0:  // flip a byte
        if (!result.empty()) result[rng.index(result.size())] = static_cast<char>(rng.uniform_int(0, 255));
        break;
      case 1:  // truncate
        result.resize(rng.index(result.size() + 1));
        break;
      case 2: {  // swap two tokens
        auto tokens = tokenize(result);
        if (tokens.size() > 1) std::swap(tokens[rng.index(tokens.size())], tokens[rng.index(tokens.size())]);
        result.clear();
        for (const auto& token : tokens) result += token;
        break;
      }
      case 3: {  // insert a grammar token
        result.insert(rng.index(result.size() + 1), kTokens[rng.index(kTokens.size())]);
        break;
      }
      case 4: {  // delete a token
        auto tokens = tokenize(result);
        if (!tokens.empty()) tokens.erase(tokens.begin() + static_cast<long>(rng.index(tokens.size())));
        result.clear();
        for (const auto& token : tokens) result += token;
        break;
      }
      default: {  // splice in a piece of another genome
        const size_t from = rng.index(other.size() + 1);
        const size_t length = rng.index(other.size() - from + 1);
        result.insert(rng.index(result.size() + 1), other.substr(from, length));
        break;
      }
    }
  }
  return result;
}

TEST(DecoderFuzz, CorruptedGenomesGiveAValidGraphOrAGosError) {
  VariationConfig config;
  config.spec = {{16, 8, 8}, {16, 8, 8}, 16};
  config.allowed = all_instructions();
  config.channel_choices = default_channel_choices(config.spec);
  Rng rng(2024);
  std::vector<std::string> corpus;
  for (const std::string& name : seed_names()) corpus.push_back(serialize(make_seed(name, config.spec)));
  for (int i = 0; i < 40; ++i) corpus.push_back(serialize(sample_graph(config, rng)));

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  int accepted = 0;
  int rejected = 0;
  for (int draw = 0; draw < 200000 && std::chrono::steady_clock::now() < deadline; ++draw) {
    const std::string input =
        corrupt(corpus[rng.index(corpus.size())], corpus[rng.index(corpus.size())], rng);
    try {
      const Graph graph = parse(input, config.spec);
      Graph copy = graph;
      ASSERT_EQ(validate(copy, config.spec), "") << input;
      ASSERT_EQ(parse(serialize(graph), config.spec), graph) << input;
      ++accepted;
    } catch (const Error& e) {
      ASSERT_GT(std::string(e.what()).size(), 10u) << input;
      ++rejected;
    } catch (const std::exception& e) {
      FAIL() << "non-gos exception '" << e.what() << "' for input: " << input;
    }
  }
  // Both outcomes must be exercised, or the corruptions are not testing much.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace gos::graph
