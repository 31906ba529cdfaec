package io.lokiconnect.source.assignment;

import io.lokiconnect.source.model.FileIdentity;

/**
 * Which files a task reads: every task evaluates the globs, and task {@code i} of {@code n} owns the files whose
 * identity hashes to {@code i}. Every file has exactly one owner, ownership survives rotation (a renamed file
 * keeps its identity) and no coordination is needed between tasks; the connector never has to watch the file
 * system or reconfigure tasks when files come and go. Changing {@code tasks.max} moves files between tasks;
 * the new owner resumes from the offset the old one committed.
 */
public record FileAssignment(int taskIndex, int taskCount) {

    public FileAssignment {
        if (taskCount < 1 || taskIndex < 0 || taskIndex >= taskCount) {
            throw new IllegalArgumentException("task " + taskIndex + " of " + taskCount + " is not a valid share");
        }
    }

    public boolean owns(FileIdentity identity) {
        return Math.floorMod(identity.stableHash(), taskCount) == taskIndex;
    }
}
