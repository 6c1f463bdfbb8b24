# Writes generated/engine/util/version.cpp (the definitions behind engine/util/version.h) with the project version and the git sha of the source
# tree at build time (not configure time), so results files name the code that wrote them.
# Run as: cmake -DSRC=<source dir> -DOUT=<version.cpp> -DVERSION=<x.y.z> -P write_version.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR sha STREQUAL "")
  set(sha "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    string(APPEND sha "-dirty")
  endif()
endif()
file(WRITE ${OUT}.tmp "// Generated at build time by tools/cmake/write_version.cmake; do not edit.\n#include \"engine/util/version.h\"\nnamespace hashsim {\nconst char* const kVersion = \"${VERSION}\";\nconst char* const kGitSha = \"${sha}\";\n}  // namespace hashsim\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
