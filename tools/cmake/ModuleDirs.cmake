# hashsim_add_module_dirs(<module>...): add_subdirectory for each listed folder that has a
# CMakeLists.txt, in the order given (a module's targets must exist before those that link them).
# The report module (and its tests) is left out when HASHSIM_REPORT is off.
function(hashsim_add_module_dirs)
  foreach(module IN LISTS ARGN)
    if(module STREQUAL "report" AND NOT HASHSIM_REPORT)
      continue()
    endif()
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/CMakeLists.txt)
      add_subdirectory(${module})
    endif()
  endforeach()
endfunction()
