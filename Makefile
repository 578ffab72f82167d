# eimzokit: `make demo` runs the simulator, the backend and the demo page;
# `make test` installs what is missing and runs every test. Each target is a
# script under scripts/.
.PHONY: demo test build deps generate clean

demo:
	scripts/demo.sh

test:
	scripts/test.sh

build: deps
	scripts/build.sh

deps:
	scripts/deps.sh

generate:
	go generate ./...

clean:
	rm -rf bin js/dist js/src/wasm_exec.js .cache
