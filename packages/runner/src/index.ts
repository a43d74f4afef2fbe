// @x/runner: run(), Runner, runMain() and the xrun command — arrives with its issue.
export {};
