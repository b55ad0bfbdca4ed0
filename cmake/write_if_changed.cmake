# write_if_changed(FILE CONTENT): writes CONTENT to FILE only when it differs, so that what
# depends on FILE is rebuilt only when it changed. For the build's generator scripts (-P).
function(write_if_changed file content)
  set(old "")
  if(EXISTS ${file})
    file(READ ${file} old)
  endif()
  if(NOT old STREQUAL content)
    file(WRITE ${file} "${content}")
  endif()
endfunction()
