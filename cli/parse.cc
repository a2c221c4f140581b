#include "cli/parse.h"

#include <iostream>

namespace po = boost::program_options;

namespace gos::cli {

bool parse_command_line(const Args& args, po::options_description& options, const char* positional_name,
                        std::string& positional_value, const std::string& usage) {
  options.add_options()("help,h", po::bool_switch(), "show this help");
  po::options_description hidden;
  hidden.add_options()(positional_name, po::value(&positional_value));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add(positional_name, 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm["help"].as<bool>()) {
    std::cout << usage << "\n" << options << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace gos::cli
