package dev.onepipe.core;
