// A stand-alone loopback Bitcoin Core for CLI tests and demos: serves the fixture chain (real
// blocks 909458..912457) on 127.0.0.1, prints its URL, and runs until stdin closes.
//   blocks_fake_node [--tip H] [--user U --password P] [--post-delay-ms MS]
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "tests/blocks/fake_node.h"

int main(int argc, char** argv) {
  using namespace hashsim::blocks::testing;
  FakeNode node(fixture_chain());
  std::string user, password;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tip"))
      node.set_tip(std::stoll(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--user"))
      user = argv[i + 1];
    else if (!std::strcmp(argv[i], "--password"))
      password = argv[i + 1];
    else if (!std::strcmp(argv[i], "--post-delay-ms"))
      node.set_post_delay_ms(std::stoi(argv[i + 1]));
  }
  if (!user.empty()) node.set_auth(user, password);
  std::printf("%s\n", node.url().c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
