import AutoRecModule
import DeepAutoEncoderModule
import MultDAEModule
import MultVAEModule
import VampPriorModule
import ModelKit

extension ModelZoo {
    /// Every model of the zoo, in the order `CompareModels` runs them. Adding a model adds one line here.
    public static let standard = ModelZoo([
        MultVAE.zooEntry,
        MultDAE.zooEntry,
        VampPriorVAE.zooEntry,
        HierarchicalVampPriorVAE.zooEntry,
        HierarchicalVampPriorVAE.gatedZooEntry,
        AutoRec.itemZooEntry,
        AutoRec.userZooEntry,
        DeepAutoEncoder.zooEntry,
    ])
}
