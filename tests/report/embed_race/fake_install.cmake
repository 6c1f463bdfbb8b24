# A slow "npm ci": the installed file appears 2 s after start, then the stamp.
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 2)
file(WRITE ${DIR}/lib/dist/lib.js "var lib = 42;\n")
file(WRITE ${DIR}/.stamp "")
