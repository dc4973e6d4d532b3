import AutoRecModule
import DeepAutoEncoderModule
import EASEModule
import MultDAEModule
import MultVAEModule
import PopularityModule
import RecVAEModule
import VampPriorModule
import ModelKit

extension ModelZoo {
    /// Every model of the zoo, in the order `CompareModels` runs them. Adding a model adds its import
    /// and its entry here (Documentation/AddingAModel.md).
    public static let standard = ModelZoo([
        MultVAE.zooEntry,
        MultDAE.zooEntry,
        VampPriorVAE.zooEntry,
        HierarchicalVampPriorVAE.zooEntry,
        HierarchicalVampPriorVAE.gatedZooEntry,
        RecVAE.zooEntry,
        Popularity.zooEntry,
        EASE.zooEntry,
        AutoRec.itemZooEntry,
        AutoRec.userZooEntry,
        DeepAutoEncoder.zooEntry,
    ])
}
