package dev.onepipe.metadata;
