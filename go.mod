module github.com/eimzokit/eimzokit

go 1.26
