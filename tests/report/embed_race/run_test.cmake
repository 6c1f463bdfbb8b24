# cmake -DSRC=<this dir> -DWORK=<scratch dir> -DHASHSIM_SOURCE_DIR=<repo> -DGENERATOR=<gen> -P run_test.cmake
# Configures the embed_race project in a fresh WORK dir and builds it in parallel (-j4) once: it
# must succeed the first time, with the installed asset embedded.
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${WORK} -G ${GENERATOR} -DHASHSIM_SOURCE_DIR=${HASHSIM_SOURCE_DIR}
                        -DCMAKE_CXX_COMPILER_LAUNCHER=
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configure failed:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK} -j4
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the first parallel build failed (${GENERATOR}):\n${out}")
endif()
execute_process(COMMAND ${WORK}/embed_race RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "var lib = 42;")
  message(FATAL_ERROR "the installed asset was not embedded: rc ${rc}, output '${out}'")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "first parallel build with ${GENERATOR} succeeded and embedded the installed asset")
