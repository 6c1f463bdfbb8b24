# cmake --install the build tree into a fresh prefix under TMP, then configure, build and run
# tests/install/consumer against it. Run by CTest (tests/install/CMakeLists.txt).
# -DBUILD=<hashsim build dir> -DSRC=<source dir> -DTMP=<scratch dir owned by this test>
file(REMOVE_RECURSE ${TMP})
file(MAKE_DIRECTORY ${TMP})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${TMP}/prefix)
foreach(f bin/hashsim lib/cmake/hashsim/hashsimConfig.cmake include/hashsim/engine/sim/runner.h
          include/hashsim/engine/util/version.h share/hashsim/scenarios/base.yaml)
  if(NOT EXISTS ${TMP}/prefix/${f})
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S ${SRC}/tests/install/consumer -B ${TMP}/consumer-build -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${TMP}/prefix)
run(${CMAKE_COMMAND} --build ${TMP}/consumer-build)
run(${TMP}/consumer-build/consumer ${TMP}/prefix/share/hashsim/scenarios/base.yaml)
message(STATUS "${last_output}")
if(NOT last_output MATCHES "hashsim [0-9.]+ base mean_final_price_usd=")
  message(FATAL_ERROR "unexpected consumer output: ${last_output}")
endif()
file(REMOVE_RECURSE ${TMP})
