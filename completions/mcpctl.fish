complete --keep-order --exclusive --command mcpctl --arguments "(COMPLETE=fish mcpctl -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
