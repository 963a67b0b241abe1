package dev.onepipe.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanShutdownNoticeTest {

    @TempDir
    Path applicationStateDir;

    @Test
    void namesTheTasksWithStoresButNoCheckpoint() throws IOException {
        Files.createDirectories(applicationStateDir.resolve("0_1").resolve("rocksdb"));
        Files.createDirectories(applicationStateDir.resolve("1_0").resolve("rocksdb"));
        Files.createDirectories(applicationStateDir.resolve("1_2").resolve("rocksdb"));
        Files.writeString(applicationStateDir.resolve("1_2").resolve(".checkpoint"), "0\n");
        Files.createDirectories(applicationStateDir.resolve("1_3"));
        Files.createDirectories(applicationStateDir.resolve("global").resolve("rocksdb"));
        assertEquals(List.of("0_1", "1_0"), UncleanShutdownNotice.tasksWithoutCheckpoint(applicationStateDir));
    }

    @Test
    void aMissingStateDirectoryIsAFirstStart() {
        assertEquals(List.of(), UncleanShutdownNotice.tasksWithoutCheckpoint(applicationStateDir.resolve("absent")));
    }
}
