# Run at every build (cmake -P): writes OUTPUT, a header defining CONFAB_GIT_COMMIT as the
# commit of SOURCE_DIR's checkout ("3f2a1b9c0d1e", "3f2a1b9c0d1e-dirty" with uncommitted
# changes to tracked files, "unknown" without git or outside a checkout). The file is only
# rewritten when that changes, so an unchanged commit recompiles nothing.
set(commit unknown)
find_package(Git QUIET)
if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                    WORKING_DIRECTORY ${SOURCE_DIR}
                    OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(NOT failed AND head)
        set(commit ${head})
        execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
                        WORKING_DIRECTORY ${SOURCE_DIR}
                        OUTPUT_VARIABLE changes RESULT_VARIABLE failed ERROR_QUIET)
        if(NOT failed AND changes)
            string(APPEND commit -dirty)
        endif()
    endif()
endif()
set(text "#pragma once\n// Generated at build time by app/ops/git_commit.cmake.\n#define CONFAB_GIT_COMMIT \"${commit}\"\n")
if(EXISTS ${OUTPUT})
    file(READ ${OUTPUT} old)
endif()
if(NOT old STREQUAL text)
    file(WRITE ${OUTPUT} "${text}")
endif()
