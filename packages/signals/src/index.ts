// @x/signals: addSignalHandler, waitForSignal — arrives with its issue.
export {};
