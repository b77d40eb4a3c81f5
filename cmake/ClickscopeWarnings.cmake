# Warnings are a per-target property so third-party code and generated files keep their own flags.
function(clickscope_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
