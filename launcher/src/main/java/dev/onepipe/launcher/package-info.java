package dev.onepipe.launcher;
