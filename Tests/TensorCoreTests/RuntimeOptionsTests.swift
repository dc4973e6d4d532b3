import Testing
@testable import TensorCore

/// The run-time switches: each variable's parsing rule, read from a given environment.
@Suite struct RuntimeOptionsTests {
    @Test func defaultsWithNothingSet() {
        let options = RuntimeOptions(environment: [:])
        #expect(options.kernels == nil && options.threads == nil && options.dataDirectory == nil)
        #expect(!options.keepsSubnormals && options.partitionsProducts && options.defersGradients && !options.tracesLineSearch
                && !options.tracesTrainingSteps)
        #if os(Linux)
        #expect(options.hugePages)
        #else
        #expect(!options.hugePages)
        #endif
    }

    @Test func onlyZeroTurnsTheSpeedSwitchesOff() {
        typealias V = RuntimeOptions.Variable
        for value in ["1", "yes", "", "on"] {
            let options = RuntimeOptions(environment: [V.blasPartition: value, V.hugePages: value, V.deferredGradients: value])
            #expect(options.partitionsProducts && options.defersGradients, "value \(value)")
            #if os(Linux)
            #expect(options.hugePages, "value \(value)")
            #endif
        }
        let off = RuntimeOptions(environment: [V.blasPartition: " 0 ", V.hugePages: "0", V.deferredGradients: "0"])
        #expect(!off.partitionsProducts && !off.hugePages && !off.defersGradients)
    }

    @Test func precisionIsKeptAsGiven() {
        #expect(RuntimeOptions(environment: [:]).precision == nil)
        #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.precision: "bf16"]).precision == "bf16")
    }

    @Test func threadsMustBeAPositiveInteger() {
        #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.threads: "3"]).threads == 3)
        for bad in ["0", "-2", "two", ""] {
            #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.threads: bad]).threads == nil, "value \(bad)")
        }
    }

    @Test func subnormalsKeptOnlyForKeepAndTraceForNonZero() {
        #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.subnormals: "keep"]).keepsSubnormals)
        #expect(!RuntimeOptions(environment: [RuntimeOptions.Variable.subnormals: "flush"]).keepsSubnormals)
        #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.lineSearchTrace: "1"]).tracesLineSearch)
        #expect(!RuntimeOptions(environment: [RuntimeOptions.Variable.lineSearchTrace: "0"]).tracesLineSearch)
        #expect(!RuntimeOptions(environment: [RuntimeOptions.Variable.lineSearchTrace: ""]).tracesLineSearch)
        #expect(RuntimeOptions(environment: [RuntimeOptions.Variable.stepTrace: "1"]).tracesTrainingSteps)
        #expect(!RuntimeOptions(environment: [RuntimeOptions.Variable.stepTrace: "0"]).tracesTrainingSteps)
        #expect(!RuntimeOptions(environment: [RuntimeOptions.Variable.lineSearchTrace: "1"]).tracesTrainingSteps)
    }

    @Test func rawValuesArePassedOn() {
        typealias V = RuntimeOptions.Variable
        let options = RuntimeOptions(environment: [V.kernels: " BuiltIn ", V.data: "/data", V.openBLASCoreType: "Haswell",
                                                   V.openBLASThreadTimeout: "20"])
        #expect(options.kernels == " BuiltIn " && options.dataDirectory == "/data")
        #expect(options.openBLASCoreType == "Haswell" && options.openBLASThreadTimeout == "20")
    }
}

/// Where named data sets are cached: AUTOENCODERZOO_CACHE, else XDG_CACHE_HOME, else HOME/.cache.
@Suite struct CacheDirectoryOptionTests {
    typealias V = RuntimeOptions.Variable

    @Test func cacheFolderPrecedence() {
        #expect(RuntimeOptions(environment: [:]).cacheDirectory == nil)
        #expect(RuntimeOptions(environment: [V.home: "/home/u"]).cacheDirectory == "/home/u/.cache/autoencoderzoo")
        #expect(RuntimeOptions(environment: [V.home: "/home/u", V.xdgCacheHome: "/x"]).cacheDirectory == "/x/autoencoderzoo")
        #expect(RuntimeOptions(environment: [V.home: "/home/u", V.xdgCacheHome: "", V.cache: "/c"]).cacheDirectory == "/c")
        #expect(RuntimeOptions(environment: [V.xdgCacheHome: ""]).cacheDirectory == nil, "an empty XDG_CACHE_HOME is unset")
        #expect(RuntimeOptions(environment: [V.dataMirror: "http://127.0.0.1:8000/"]).dataMirror == "http://127.0.0.1:8000/")
    }
}
