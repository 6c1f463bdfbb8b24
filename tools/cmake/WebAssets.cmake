# hashsim_embed_web_assets(OUTPUT <file.cpp> STAMP <stamp> INSTALL_COMMAND <cmd...>
#                          INSTALL_DEPENDS <files...> INSTALLED_ASSETS <name=path...>
#                          SOURCE_ASSETS <name=path...>)
# Two build steps: the install step (npm ci in web/) produces STAMP and the INSTALLED_ASSETS
# (the chart library under web/node_modules); the embed step (EmbedAssets.cmake) writes OUTPUT
# from all assets. The embed step depends on STAMP, the install step's OUTPUT, and not on the
# installed files themselves: no rule produces those, so with them as dependencies `make -j2` /
# ninja on a fresh clone looked for chart.umd.js while npm ci was still running and stopped
# ("No rule to make target .../chart.umd.js"). The install command must touch STAMP after it has
# written every installed file (tools/install-web-deps.sh does).
function(hashsim_embed_web_assets)
  cmake_parse_arguments(PARSE_ARGV 0 A "" "OUTPUT;STAMP"
                        "INSTALL_COMMAND;INSTALL_DEPENDS;INSTALLED_ASSETS;SOURCE_ASSETS")
  add_custom_command(
    OUTPUT ${A_STAMP}
    COMMAND ${A_INSTALL_COMMAND}
    DEPENDS ${A_INSTALL_DEPENDS}
    COMMENT "npm ci in web/ (chart library, browser test driver)"
    VERBATIM)
  set(deps ${A_STAMP})
  foreach(a IN LISTS A_SOURCE_ASSETS)
    string(FIND "${a}" "=" eq)
    math(EXPR s "${eq} + 1")
    string(SUBSTRING "${a}" ${s} -1 p)
    list(APPEND deps ${p})
  endforeach()
  set(all ${A_INSTALLED_ASSETS} ${A_SOURCE_ASSETS})
  string(REPLACE ";" "|" arg "${all}")
  add_custom_command(
    OUTPUT ${A_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${A_OUTPUT} "-DASSETS=${arg}" -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedAssets.cmake
    DEPENDS ${deps} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedAssets.cmake
    COMMENT "Embedding web assets"
    VERBATIM)
endfunction()
